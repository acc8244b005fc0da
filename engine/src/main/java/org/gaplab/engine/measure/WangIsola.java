package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * The alignment and uniformity losses of Wang and Isola (ICML 2020), with their defaults
 * alpha = 2 and t = 2. Not to be confused with the theory's alignment term
 * {@code (1/tau) E[-s(f(x), g(y))]} ({@link TheoryTerms}).
 * <pre>
 *   alignment  = E_pairs ||f(x) - g(y)||^2,
 *   uniformity = ln E_{z, z' iid, z != z'} exp(-2 ||z - z'||^2)   (one modality at a time).
 * </pre>
 * Lower alignment means closer partners; lower uniformity means a more spread-out marginal
 * (on {@code S^(d-1)} the uniform distribution minimises it).
 */
public final class WangIsola {
    /** Scale t of the uniformity kernel. */
    public static final double UNIFORMITY_T = 2;

    private WangIsola() {}

    /**
     * @param z1Partners row j: the partner of {@code z2} row j, {@code [m, d]}
     * @param z2 {@code [m, d]}
     * @return the mean squared distance of true pairs
     */
    public static double alignment(NDArray z1Partners, NDArray z2) {
        try (NDArray diff = z1Partners.sub(z2); NDArray sq = diff.square(); NDArray mean = sq.sum(new int[] {1}).mean()) {
            return Pairwise.scalar(mean);
        }
    }

    /**
     * @param z one modality's sample, {@code [n, d]}, n >= 2
     * @param pairwise chunked primitives
     * @return the uniformity
     */
    public static double uniformity(NDArray z, Pairwise pairwise) {
        return pairwise.logMeanExpNegSquaredDistance(z, UNIFORMITY_T);
    }
}
