package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/** A divergence between the batch embeddings of the two towers, for K runs at once. */
public interface CrossModalPenalty {
    /**
     * @param z1 embeddings of modality 1, {@code [K, B, d]}
     * @param z2 embeddings of modality 2, {@code [K, B, d]}
     * @return the divergence of each run, {@code [K]}
     */
    NDArray perRun(NDArray z1, NDArray z2);

    /** @return whether {@link #valueAndGradient} gives a closed form (else the step uses autograd) */
    default boolean hasGradient() {
        return false;
    }

    /**
     * The divergence of each run and its gradient with respect to both embeddings, in closed form.
     *
     * @param z1 embeddings {@code [K, B, d]}
     * @param z2 embeddings {@code [K, B, d]}
     * @return {@code [D, dD/dz1, dD/dz2]}, or null when {@link #hasGradient()} is false
     */
    default ai.djl.ndarray.NDList valueAndGradient(NDArray z1, NDArray z2) {
        return null;
    }
}
