package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/**
 * The cosine critic {@code s(z, w) = <z, w>} for embeddings on the unit sphere (the caller
 * normalises them; this class does not).
 */
public final class CosineCritic implements Critic {
    @Override
    public NDArray paired(NDArray z, NDArray v) {
        return z.mul(v).sum(new int[] {2});
    }

    @Override
    public NDArray all(NDArray z, NDArray w) {
        return z.batchMatMul(w.transpose(0, 2, 1));
    }

    @Override
    public String toString() {
        return "cosine <z, w>";
    }
}
