/**
 * Contrastive losses, one small class each, batch-mean and computed per run: every loss maps
 * run-stacked embeddings {@code [K, B, d]} to a loss per run {@code [K]}, so K independent runs
 * train in one graph (their sum is differentiated; runs share no terms).
 *
 * <p>The gradient seam: a loss with a closed form also gives its value together with
 * {@code dL/dz1, dL/dz2} (and {@code dL/d ln c}, {@code dL/db}) as a {@link
 * org.gaplab.engine.loss.LossGradient}, computed over row blocks of the logits so that no
 * {@code B x B} array outlives a block ({@link org.gaplab.engine.loss.PairLoss#valueAndGradient}).
 * The trainer hands {@code dL/dz} to each tower, which finishes the backward pass on its own.
 */
package org.gaplab.engine.loss;
