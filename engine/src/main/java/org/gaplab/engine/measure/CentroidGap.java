package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * The centroid gap between two embedding samples (Liang et al. 2022's "modality gap"; docs/theory.md
 * section 6):
 * <pre>
 *   c1 = (1/n1) sum_i z1_i,   c2 = (1/n2) sum_j z2_j,
 *   gap = ||c1 - c2||,   cosine = &lt;c1, c2&gt; / (||c1|| ||c2||).
 * </pre>
 * On the sphere a centroid norm near 1 means a concentrated marginal, near 0 a spread-out one;
 * the cosine is undefined (NaN) when a centroid is zero.
 */
public final class CentroidGap {
    private CentroidGap() {}

    /**
     * @param gap {@code ||c1 - c2||}
     * @param norm1 {@code ||c1||}
     * @param norm2 {@code ||c2||}
     * @param cosine cosine of the angle between the centroids
     */
    public record Result(double gap, double norm1, double norm2, double cosine) {}

    /**
     * @param z1 {@code [n1, d]}
     * @param z2 {@code [n2, d]}
     * @return the gap, both norms and the cosine
     */
    public static Result compute(NDArray z1, NDArray z2) {
        double[] c1;
        double[] c2;
        try (NDArray m1 = z1.mean(new int[] {0}); NDArray m2 = z2.mean(new int[] {0})) {
            c1 = m1.toDoubleArray(); // d values each: the only host copies
            c2 = m2.toDoubleArray();
        }
        double dot = 0;
        double n1 = 0;
        double n2 = 0;
        double gap = 0;
        for (int i = 0; i < c1.length; i++) {
            dot += c1[i] * c2[i];
            n1 += c1[i] * c1[i];
            n2 += c2[i] * c2[i];
            gap += (c1[i] - c2[i]) * (c1[i] - c2[i]);
        }
        n1 = Math.sqrt(n1);
        n2 = Math.sqrt(n2);
        double cosine = (n1 == 0 || n2 == 0) ? Double.NaN : dot / (n1 * n2);
        return new Result(Math.sqrt(gap), n1, n2, cosine);
    }
}
