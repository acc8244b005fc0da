package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

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
        long b = z1.getShape().get(1);
        NDArray s = PairLoss.logits(z1, z2, logitScale).add(bias);
        // labels: +1 on the diagonal, -1 elsewhere => l = 2 I - 1
        NDArray labels = PairLoss.eye(s, b).mul(2).sub(1);
        NDArray t = s.mul(labels).neg();
        NDArray softplus = t.maximum(0).add(t.abs().neg().exp().add(1).log());
        return softplus.sum(new int[] {1, 2}).div(b);
    }

    @Override
    public String toString() {
        return "sigmoid pairwise (SigLIP), bias " + bias;
    }
}
