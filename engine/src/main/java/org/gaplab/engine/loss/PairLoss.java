package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/** A loss on a batch of B pairs per run, for K runs at once. */
public interface PairLoss {
    /**
     * @param z1 embeddings of modality 1, {@code [K, B, d]}
     * @param z2 embeddings of modality 2, {@code [K, B, d]}; row i is the partner of row i of z1
     * @param logitScale per-run inverse temperature {@code 1/tau}, {@code [K]}
     * @return the batch-mean loss of each run, {@code [K]}
     */
    NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale);

    /** Cosine logits {@code S_kij = <z1_ki, z2_kj> / tau_k}, shape {@code [K, B, B]}. */
    static NDArray logits(NDArray z1, NDArray z2, NDArray logitScale) {
        return z1.batchMatMul(z2.transpose(0, 2, 1)).mul(logitScale.reshape(-1, 1, 1));
    }

    /** The {@code [B, B]} identity in the dtype of {@code like}, on its manager. */
    static NDArray eye(NDArray like, long b) {
        return like.getManager().eye((int) b).toType(like.getDataType(), false);
    }
}
