package org.gaplab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * End-of-run statistics of the fixed evaluation set (n pairs, embedded with the trained towers):
 *
 * <pre>
 *   mean pair cosine  = 1/n sum_i <z1_i, z2_i>
 *   centroid gap      = || mean_i z1_i - mean_i z2_i ||
 *   eval loss         = symmetric InfoNCE on the first B pairs (B = batch size), minus nothing
 * </pre>
 *
 * The full measurement (divergences, entropies, retrieval, theory terms, uncertainty) is
 * {@code gaplab measure}'s job; these are the figures a training summary prints.
 *
 * @param n evaluation pairs
 * @param meanPairCosine mean cosine of true pairs
 * @param centroidGap distance between the modality centroids
 * @param evalLoss symmetric InfoNCE on one evaluation batch
 */
public record EvalSummary(int n, double meanPairCosine, double centroidGap, double evalLoss) {
    /**
     * @param z1 embeddings of modality 1, {@code [n, d]}
     * @param z2 embeddings of modality 2, {@code [n, d]}
     * @param batchLoss the loss on one evaluation batch (computed by the caller)
     * @return the summary (one host sync)
     */
    public static EvalSummary of(NDArray z1, NDArray z2, double batchLoss) {
        try (NDManager scope = z1.getManager().newSubManager()) {
            scope.tempAttachAll(z1, z2);
            double cos = z1.mul(z2).sum(new int[] {1}).mean().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            double gap = z1.mean(new int[] {0}).sub(z2.mean(new int[] {0})).norm().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            return new EvalSummary((int) z1.getShape().get(0), cos, gap, batchLoss);
        }
    }
}
