package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

/**
 * Scaled cosine logits {@code S_ij = c <z1_i, z2_j>}, {@code c = 1/tau}, in the one operation order
 * the autograd losses and the measurements share: the inner products first, then the scale.
 *
 * <p>The closed-form gradients build their logit blocks differently on purpose, and those stay
 * where they are: {@link ClosedFormSymmetricInfoNce} forms {@code c (cos - 1)} in one product of
 * augmented rows, and the blocked losses scale {@code z1} before the product (one {@code [K, B, d]}
 * multiply instead of a {@code [K, rows, B]} one per block). Moving either onto this order would
 * change results in the last float digits.
 */
public final class Logits {
    private Logits() {}

    /**
     * Run-stacked logits.
     *
     * @param z1 {@code [K, B, d]}
     * @param z2 {@code [K, B, d]}
     * @param logitScale per-run {@code c}, {@code [K]}
     * @return {@code S_kij = c_k <z1_ki, z2_kj>}, {@code [K, B, B]}
     */
    public static NDArray cosine(NDArray z1, NDArray z2, NDArray logitScale) {
        return z1.batchMatMul(z2.transpose(0, 2, 1)).mul(logitScale.reshape(-1, 1, 1));
    }

    /**
     * Logits of queries against keys at one scale.
     *
     * @param queries {@code [n, d]}
     * @param keys {@code [N, d]}
     * @param logitScale {@code c}
     * @return {@code c <q_i, k_j>}, {@code [n, N]}
     */
    public static NDArray cosine(NDArray queries, NDArray keys, double logitScale) {
        return queries.matMul(keys.transpose()).mul(logitScale);
    }
}
