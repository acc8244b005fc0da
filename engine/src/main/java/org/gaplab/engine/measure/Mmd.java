package org.gaplab.engine.measure;

/**
 * The squared maximum mean discrepancy (Gretton et al., JMLR 2012) with a Gaussian RBF kernel
 * {@code k(x, y) = exp(-||x - y||^2 / (2 s^2))}, in its <b>biased</b> V-statistic form (all ordered
 * pairs, diagonal included; never negative):
 * <pre>
 *   MMD^2_b = E k(X, X') + E k(Y, Y') - 2 E k(X, Y)  =  w^T K w,   w = 1_X/n_X - 1_Y/n_Y.
 * </pre>
 * Bandwidths: {@code s = {0.5, 1, 2} x} the median cross distance {@code ||x - y||} of a fixed
 * subsample (the median heuristic), fixed once per report so every subsample and permutation uses
 * the same kernels.
 */
public final class Mmd {
    /** Name used in reports. */
    public static final String NAME = "MMD^2, biased V-statistic, Gaussian RBF";
    /** Multipliers of the median cross distance. */
    public static final double[] BANDWIDTH_MULTIPLIERS = {0.5, 1, 2};

    private Mmd() {}

    /**
     * @param forms {@code W^T K W} for W = [a, b], a = 1_X/n_X, b = 1_Y/n_Y
     * @return MMD^2 (biased)
     */
    public static double fromForms(double[][] forms) {
        return forms[0][0] + forms[1][1] - 2 * forms[0][1];
    }
}
