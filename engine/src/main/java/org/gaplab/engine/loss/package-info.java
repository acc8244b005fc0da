/**
 * Contrastive losses, one small class each, batch-mean and computed per run: every loss maps
 * run-stacked embeddings {@code [K, B, d]} to a loss per run {@code [K]}, so K independent runs
 * train in one graph (their sum is differentiated; runs share no terms).
 */
package org.gaplab.engine.loss;
