package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * The Kozachenko-Leonenko k-nearest-neighbour estimator of differential entropy
 * {@code H(rho) = -int rho ln rho} (Kozachenko and Leonenko 1987; Kraskov et al. 2004, eq. 20):
 * <pre>
 *   H ~ psi(n) - psi(k) + (1/n) sum_i ln V(rho_k(i)),
 * </pre>
 * with {@code rho_k(i)} the distance from point i to its k-th nearest other point and V the
 * volume of a ball of that radius on the {@link Manifold}: in {@code R^d},
 * {@code V(r) = pi^(d/2) / Gamma(d/2 + 1) r^d}; on the sphere {@code S^(d-1)} the exact geodesic
 * cap area (intrinsic dimension d - 1), so the entropy is relative to surface measure and the
 * uniform distribution on {@code S^(d-1)} has {@code H = ln |S^(d-1)|} (ln 4 pi on S^2). That
 * base measure matches the one of {@code c_tau} ({@link PartitionConstant}), as the theory needs.
 */
public final class KnnEntropy {
    /** Name used in reports. */
    public static final String NAME = "Kozachenko-Leonenko k-NN";

    private KnnEntropy() {}

    /**
     * @param z sample, {@code [n, d]} distinct points
     * @param k neighbour rank
     * @param manifold where the points live
     * @param pairwise chunked primitives
     * @return the entropy estimate in nats
     */
    public static double compute(NDArray z, int k, Manifold manifold, Pairwise pairwise) {
        int d = (int) z.getShape().get(1);
        return fromDistances(pairwise.kthNeighbourDistance(z, z, k, true, manifold), k, d, manifold);
    }

    /** The estimate and its standard error over the points. */
    static Reliability.Value withError(double[] rho, int k, int d, Manifold manifold) {
        int[] zeros = new int[1];
        double[] terms = new double[rho.length];
        for (int i = 0; i < rho.length; i++) {
            terms[i] = manifold.logBallVolume(d, KnnDivergence.floor(rho[i], zeros));
        }
        return new Reliability.Value(SpecialFunctions.digamma(rho.length) - SpecialFunctions.digamma(k) + Moments.mean(terms),
                Moments.standardError(terms));
    }

    /** The estimate from the k-th neighbour distances of a sample of points with d coordinates. */
    static double fromDistances(double[] rho, int k, int d, Manifold manifold) {
        int n = rho.length;
        int[] zeros = new int[1];
        double sum = 0;
        for (double r : rho) {
            sum += manifold.logBallVolume(d, KnnDivergence.floor(r, zeros));
        }
        return SpecialFunctions.digamma(n) - SpecialFunctions.digamma(k) + sum / n;
    }
}
