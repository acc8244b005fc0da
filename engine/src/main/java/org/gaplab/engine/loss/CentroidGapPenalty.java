package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/**
 * The squared centroid gap of a batch, a cross-modal divergence penalty (docs/theory.md sections 5 and 6):
 *
 * <pre>
 *   D_c(z1, z2) = || (1/B) sum_i z1_i - (1/B) sum_i z2_i ||^2,
 *   dD_c / dz1_i = (2/B) (c1 - c2),   dD_c / dz2_i = -(2/B) (c1 - c2).
 * </pre>
 *
 * It only moves the first moments together; two marginals with equal means and different shapes
 * pay nothing.
 */
public final class CentroidGapPenalty implements CrossModalPenalty {
    @Override
    public NDArray perRun(NDArray z1, NDArray z2) {
        NDArray diff = z1.mean(new int[] {1}).sub(z2.mean(new int[] {1}));
        return diff.square().sum(new int[] {1});
    }

    @Override
    public boolean hasGradient() {
        return true;
    }

    @Override
    public ai.djl.ndarray.NDList valueAndGradient(NDArray z1, NDArray z2) {
        long b = z1.getShape().get(1);
        NDArray diff = z1.mean(new int[] {1}, true).sub(z2.mean(new int[] {1}, true));   // c1 - c2, [K, 1, d]
        NDArray value = diff.square().sum(new int[] {1, 2});
        NDArray g = diff.mul(2.0 / b);
        return new ai.djl.ndarray.NDList(value, g.broadcast(z1.getShape()), g.neg().broadcast(z2.getShape()));
    }

    @Override
    public String toString() {
        return "squared centroid gap";
    }
}
