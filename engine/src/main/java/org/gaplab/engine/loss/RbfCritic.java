package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

import org.gaplab.core.Checks;
import org.gaplab.models.Scalars;

/**
 * The RBF critic {@code s(z, w) = -gamma ||z - w||^2}, used with bounded ({@code tanh})
 * embeddings; docs/theory.md sets {@code gamma = 1/d}. All pairs use the expansion
 * {@code ||z||^2 + ||w||^2 - 2 <z, w>}, which costs one batched matrix product.
 */
public final class RbfCritic implements Critic {
    private final double gamma;

    /** @param gamma the scale gamma, > 0 */
    public RbfCritic(double gamma) {
        Checks.positive(gamma, "gamma");
        this.gamma = gamma;
    }

    /** @return gamma */
    public double gamma() {
        return gamma;
    }

    @Override
    public NDArray paired(NDArray z, NDArray v) {
        return Scalars.mul(z.sub(v).square().sum(new int[] {2}), -gamma);
    }

    @Override
    public NDArray all(NDArray z, NDArray w) {
        NDArray zz = z.square().sum(new int[] {2}, true);                       // [K, B, 1]
        NDArray ww = w.square().sum(new int[] {2}).expandDims(1);               // [K, 1, N]
        NDArray zw = z.batchMatMul(w.transpose(0, 2, 1));                       // [K, B, N]
        return Scalars.mul(zz.add(ww).sub(Scalars.mul(zw, 2)), -gamma);
    }

    @Override
    public String toString() {
        return "RBF -" + gamma + " ||z - w||^2";
    }
}
