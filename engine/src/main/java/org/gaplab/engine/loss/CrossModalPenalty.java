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
}
