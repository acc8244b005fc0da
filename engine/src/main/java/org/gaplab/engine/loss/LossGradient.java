package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/**
 * A loss value with its gradient with respect to the embeddings (and to the logit scale and
 * bias): what a tower needs to finish the backward pass on its own, by a closed form or by one
 * backward pass of {@code sum(z . dL/dz)}.
 *
 * @param loss per-run loss {@code [K]}
 * @param gradZ1 {@code dL/dz1}, {@code [K, B, d]}
 * @param gradZ2 {@code dL/dz2}, {@code [K, B, d]}
 * @param gradLogScale {@code dL/d ln c} for the logit scale {@code c = exp(s)}, {@code [K]}; null when not asked for
 * @param gradBias {@code dL/db} of an additive logit bias, {@code [K]}; null for losses without one
 * @param parts the loss's named parts per run ({@link PairLoss#parts}), empty when it reports none
 */
public record LossGradient(NDArray loss, NDArray gradZ1, NDArray gradZ2, NDArray gradLogScale, NDArray gradBias,
        java.util.Map<String, NDArray> parts) {
    /** Copies the parts' map. */
    public LossGradient {
        parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
    }

    /** A loss without named parts. */
    public LossGradient(NDArray loss, NDArray gradZ1, NDArray gradZ2, NDArray gradLogScale, NDArray gradBias) {
        this(loss, gradZ1, gradZ2, gradLogScale, gradBias, java.util.Map.of());
    }
}
