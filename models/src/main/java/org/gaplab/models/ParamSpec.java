package org.gaplab.models;

import ai.djl.ndarray.types.Shape;

/**
 * One named parameter of one run; stacked over K runs it is an array of shape {@code [K, shape]}.
 *
 * @param name unique name, e.g. {@code tower1.w0}
 * @param shape the per-run shape
 * @param initBound uniform initialisation bound b (values in [-b, b]); 0 means "set by the owner"
 * @param weightDecay whether decoupled/L2 weight decay applies (never to the logit scale)
 */
public record ParamSpec(String name, Shape shape, double initBound, boolean weightDecay) {}
