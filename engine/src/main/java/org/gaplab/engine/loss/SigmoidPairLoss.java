package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import org.gaplab.models.Scalars;

/**
 * Pairwise sigmoid loss (SigLIP; Zhai et al. 2023), for ablations: every pair (i, j) is a binary
 * problem with label {@code l_ij = +1} on the diagonal and -1 elsewhere,
 *
 * <pre>
 *   L = -1/B sum_{i,j} log sigmoid( l_ij (S_ij + b) ),   S_ij = <z1_i, z2_j> / tau,
 * </pre>
 *
 * normalised by B as in the paper. The bias b is fixed (SigLIP initialises its learnable bias at
 * -10, which is our default); {@code -log sigmoid(t) = softplus(-t)} is computed stably as
 * {@code max(-t, 0) + log(1 + exp(-|t|))}.
 */
public final class SigmoidPairLoss implements PairLoss {
    private final double bias;

    /** @param bias the fixed logit bias b */
    public SigmoidPairLoss(double bias) {
        this.bias = bias;
    }

    @Override
    public NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale) {
        return perRun(z1, z2, logitScale, constantBias(z1));
    }

    /**
     * As {@link #perRun(NDArray, NDArray, NDArray)} with a per-run bias array (a learnable bias
     * differentiates through it).
     *
     * @param logitBias per-run bias b, {@code [K]}
     */
    public NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale, NDArray logitBias) {
        long b = z1.getShape().get(1);
        NDArray s = Logits.cosine(z1, z2, logitScale).add(logitBias.reshape(-1, 1, 1));
        // labels: +1 on the diagonal, -1 elsewhere => l = 2 I - 1
        NDArray labels = PairLoss.eye(s, b).mul(2).sub(1);
        NDArray t = s.mul(labels).neg();
        NDArray softplus = Scalars.atLeast(t, 0).add(t.abs().neg().exp().add(1).log());
        return Scalars.div(softplus.sum(new int[] {1, 2}), b);
    }

    @Override
    public boolean hasEmbeddingGradient() {
        return true;
    }

    @Override
    public LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, GradientRequest request) {
        return valueAndGradient(z1, z2, logitScale, constantBias(z1), request);
    }

    /**
     * Closed form with a per-run bias array: {@code dL/dT = (sigmoid(T) - I) / B} for
     * {@code T = S + b}; {@link LossGradient#gradBias()} is {@code dL/db}.
     *
     * @param logitBias per-run bias b, {@code [K]}
     */
    public LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, NDArray logitBias,
            GradientRequest request) {
        return BlockedLogits.sigmoid(z1, z2, logitScale, logitBias, request);
    }

    private NDArray constantBias(NDArray like) {
        return like.getManager().full(new ai.djl.ndarray.types.Shape(like.getShape().get(0)), (float) 0, like.getDataType())
                .addi(bias);
    }

    @Override
    public String toString() {
        return "sigmoid pairwise (SigLIP), bias " + bias;
    }
}
