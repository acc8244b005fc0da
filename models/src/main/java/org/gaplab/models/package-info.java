/**
 * Encoders that map inputs to the embedding manifold, and the dual encoder that pairs two of them
 * with a temperature.
 *
 * <p>Every model here is <em>stacked over runs</em>: a parameter of shape {@code S} is held as one
 * array of shape {@code [K, S...]}, and inputs are {@code [K, n, d]}. A single run is {@code K = 1};
 * a sweep trains K independent runs in one computation. Parameters are plain {@link
 * ai.djl.ndarray.NDArray}s owned by the caller's manager (no DJL {@code Block}s), so the engine
 * owns gradients, optimiser state and checkpoints. This module depends on {@code core} and DJL's API
 * only.
 */
package org.gaplab.models;
