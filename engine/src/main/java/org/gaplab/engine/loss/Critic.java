package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/**
 * A critic s(z, w) scoring how similar two embeddings are (docs/theory.md section 1), evaluated for K
 * stacked runs at once.
 */
public interface Critic {
    /**
     * Scores each anchor against its own positive.
     *
     * @param z anchors {@code [K, B, d]}
     * @param v positives {@code [K, B, d]}, row i paired with anchor i
     * @return {@code s(z_i, v_i)}, shape {@code [K, B]}
     */
    NDArray paired(NDArray z, NDArray v);

    /**
     * Scores every anchor against every negative.
     *
     * @param z anchors {@code [K, B, d]}
     * @param w negatives {@code [K, N, d]}
     * @return {@code s(z_i, w_j)}, shape {@code [K, B, N]}
     */
    NDArray all(NDArray z, NDArray w);
}
