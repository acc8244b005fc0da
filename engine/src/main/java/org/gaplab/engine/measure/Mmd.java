package org.gaplab.engine.measure;

/**
 * The squared maximum mean discrepancy (Gretton et al., JMLR 2012, eq. 3) with a Gaussian RBF
 * kernel {@code k(x, y) = exp(-||x - y||^2 / (2 s^2))}, as the unbiased U-statistic of two
 * independent samples (ordered pairs of distinct draws within each sample):
 * <pre>
 *   MMD^2_u = mean_{i != i'} k(X_i, X_i') + mean_{j != j'} k(Y_j, Y_j') - 2 mean_{i,j} k(X_i, Y_j).
 * </pre>
 * Its expectation is 0 under equal laws, so an estimate may be slightly negative. Bandwidths:
 * {@code s = {0.5, 1, 2} x} the median cross distance {@code ||x - y||} of a fixed subsample (the
 * median heuristic), fixed once per report so every subsample and permutation uses the same kernels.
 */
public final class Mmd {
    /** Name used in reports. */
    public static final String NAME = "MMD^2, unbiased U-statistic, Gaussian RBF, independent samples";
    /** Multipliers of the median cross distance. */
    public static final double[] BANDWIDTH_MULTIPLIERS = {0.5, 1, 2};

    private Mmd() {}

    /**
     * @param sxx within-X kernel mean (U)
     * @param syy within-Y kernel mean (U)
     * @param sxy cross kernel mean
     * @return MMD^2 (unbiased)
     */
    public static double fromMeans(double sxx, double syy, double sxy) {
        return sxx + syy - 2 * sxy;
    }
}
