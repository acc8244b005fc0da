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

    /**
     * The loss of each run with its named parts, e.g. {@code contrastive} and {@code penalty} of
     * a {@link GapRegularizedLoss}, for training to log beside the total. The total is the same
     * array {@link #perRun} computes, by the same operations.
     *
     * @param z1 embeddings of modality 1, {@code [K, B, d]}
     * @param z2 embeddings of modality 2, {@code [K, B, d]}
     * @param logitScale per-run {@code 1/tau}, {@code [K]}
     * @return the total and its parts ({@link #parts}); no parts by default
     */
    default LossValue perRunWithParts(NDArray z1, NDArray z2, NDArray logitScale) {
        return new LossValue(perRun(z1, z2, logitScale), java.util.Map.of());
    }

    /**
     * Whether {@link #valueAndGradient} is available: the loss and its gradient with respect to
     * the embeddings in closed form, in row blocks. Losses without it train by autograd through
     * the whole graph.
     */
    default boolean hasEmbeddingGradient() {
        return false;
    }

    /**
     * The loss of each run and its gradient with respect to both embeddings and the logit scale,
     * in closed form, holding at most {@code request.rowBlock()} rows of the logits at a time.
     * Equal to autograd of {@link #perRun} up to rounding.
     *
     * @param z1 embeddings {@code [K, B, d]} (no autograd graph is needed)
     * @param z2 embeddings {@code [K, B, d]}
     * @param logitScale per-run {@code c = 1/tau}, {@code [K]}
     * @param request blocking and what to compute
     * @return value and gradients on {@code z1}'s manager
     * @throws UnsupportedOperationException when {@link #hasEmbeddingGradient()} is false
     */
    default LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, GradientRequest request) {
        throw new UnsupportedOperationException(this + " has no closed-form embedding gradient; use autograd");
    }

    /** The {@code [B, B]} identity in the dtype of {@code like}, on its manager. */
    static NDArray eye(NDArray like, long b) {
        return like.getManager().eye((int) b).toType(like.getDataType(), false);
    }
}
