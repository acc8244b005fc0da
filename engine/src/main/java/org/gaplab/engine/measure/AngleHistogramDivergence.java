package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The paper's estimator of the divergence between two 2-D embedding marginals (Cai et al. 2026,
 * modality-gap experiment; docs/theory.md section 6). With angles {@code a = atan2(z_2, z_1)} binned
 * into B equal bins on {@code [-pi, pi]} (the last bin closed), counts {@code h1, h2}:
 * <pre>
 *   p_b = (h1_b + eps) / sum_b (h1_b + eps),   q_b likewise,
 *   J     = KL(p||q) + KL(q||p) = sum_b (p_b - q_b) (ln p_b - ln q_b)   (the Jeffreys divergence),
 *   D_sym = J / 2                                                       (the theory's term),
 * </pre>
 * with B = 60 and eps = 1e-8 by default. When bins of one sample are empty, J saturates near
 * {@code 2 ln(n / eps)}, so across seeds report medians and quantiles beside the mean.
 */
public final class AngleHistogramDivergence {
    /** The paper's number of bins. */
    public static final int DEFAULT_BINS = 60;
    /** The paper's pseudo-count added to every bin. */
    public static final double DEFAULT_EPS = 1e-8;

    private AngleHistogramDivergence() {}

    /**
     * @param klPq {@code KL(p||q)}
     * @param klQp {@code KL(q||p)}
     * @param jeffreys {@code J = KL(p||q) + KL(q||p)}
     * @param dsym {@code D_sym = J / 2}
     */
    public record Result(double klPq, double klQp, double jeffreys, double dsym) {}

    /**
     * @param z1 {@code [n1, 2]}
     * @param z2 {@code [n2, 2]}
     * @param bins number of bins
     * @param eps pseudo-count
     * @return both KLs, J and D_sym
     */
    public static Result compute(NDArray z1, NDArray z2, int bins, double eps) {
        return fromAngles(angles(z1), angles(z2), bins, eps);
    }

    /** @return {@code atan2(z[:,1], z[:,0])} of a {@code [n, 2]} array, copied to the host once */
    public static double[] angles(NDArray z) {
        if (z.getShape().dimension() != 2 || z.getShape().get(1) != 2) {
            throw new IllegalArgumentException("the angle histogram needs 2-D embeddings, got shape " + z.getShape());
        }
        try (NDArray y = z.get(new NDIndex(":, 1")); NDArray x = z.get(new NDIndex(":, 0")); NDArray a = y.atan2(x);
                NDArray a64 = a.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
            // float32 embeddings are the common case; the histogram is built in double precision
            return a64.toDoubleArray();
        }
    }

    /**
     * @param a1 angles of sample 1 in {@code [-pi, pi]}
     * @param a2 angles of sample 2
     * @param bins number of bins
     * @param eps pseudo-count
     * @return both KLs, J and D_sym
     */
    public static Result fromAngles(double[] a1, double[] a2, int bins, double eps) {
        double[] p = normalisedHistogram(a1, bins, eps);
        double[] q = normalisedHistogram(a2, bins, eps);
        double pq = 0;
        double qp = 0;
        for (int b = 0; b < bins; b++) {
            double lp = Math.log(p[b]);
            double lq = Math.log(q[b]);
            pq += p[b] * (lp - lq);
            qp += q[b] * (lq - lp);
        }
        return new Result(pq, qp, pq + qp, (pq + qp) / 2);
    }

    static double[] normalisedHistogram(double[] angles, int bins, double eps) {
        double[] h = new double[bins];
        double width = 2 * Math.PI / bins;
        for (double a : angles) {
            int b = (int) Math.floor((a + Math.PI) / width);
            h[Math.max(0, Math.min(bins - 1, b))] += 1; // a = pi falls in the last (closed) bin
        }
        double total = 0;
        for (int b = 0; b < bins; b++) {
            h[b] += eps;
            total += h[b];
        }
        for (int b = 0; b < bins; b++) {
            h[b] /= total;
        }
        return h;
    }
}
