package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * The k-nearest-neighbour estimator of the Kullback-Leibler divergence of Wang, Kulkarni and
 * Verdu (IEEE Trans. Inf. Theory 55(5), 2009), with the same k in both samples. For X_1..X_n ~ P
 * and Y_1..Y_m ~ Q:
 * <pre>
 *   KL(P||Q) ~ (1/n) sum_i [ ln V(nu_k(i)) - ln V(rho_k(i)) ] + ln( m / (n - 1) ),
 * </pre>
 * where {@code rho_k(i)} is the distance from X_i to its k-th nearest neighbour among the other
 * X's, {@code nu_k(i)} to its k-th nearest Y, and {@code V(r)} the volume of a ball of radius r
 * on the {@link Manifold}: in {@code R^d} the difference is {@code d ln(nu/rho)} (the published
 * form); on the sphere {@code S^(d-1)} V is the exact geodesic-cap area (intrinsic dimension
 * d - 1; with the ambient d the estimate is biased). The Jeffreys divergence is
 * {@code J = KL(P||Q) + KL(Q||P)} and the theory's {@code D_sym = J / 2}.
 *
 * <p>The samples must hold distinct points (zero distances make a log infinite): draw subsamples
 * without replacement. Distances of exactly 0 are raised to 1e-12 and counted.
 */
public final class KnnDivergence {
    /** Name used in reports. */
    public static final String NAME = "Wang-Kulkarni-Verdu k-NN";
    /** Smallest distance used in a log, for exact duplicates. */
    static final double MIN_DISTANCE = 1e-12;

    private KnnDivergence() {}

    /**
     * @param kl12 {@code KL(rho1||rho2)}
     * @param kl21 {@code KL(rho2||rho1)}
     * @param jeffreys {@code J = kl12 + kl21}
     * @param dsym {@code D_sym = J / 2}
     * @param zeroDistances how many neighbour distances were exactly 0 (duplicates)
     */
    public record Result(double kl12, double kl21, double jeffreys, double dsym, int zeroDistances) {}

    /**
     * @param z1 sample of rho1, {@code [n1, d]}
     * @param z2 sample of rho2, {@code [n2, d]}
     * @param k neighbour rank
     * @param manifold where the points live
     * @param pairwise chunked primitives
     * @return both directions, J and D_sym
     */
    public static Result compute(NDArray z1, NDArray z2, int k, Manifold manifold, Pairwise pairwise) {
        int d = (int) z1.getShape().get(1);
        double[] rho1 = pairwise.kthNeighbourDistance(z1, z1, k, true, manifold);
        double[] nu1 = pairwise.kthNeighbourDistance(z1, z2, k, false, manifold);
        double[] rho2 = pairwise.kthNeighbourDistance(z2, z2, k, true, manifold);
        double[] nu2 = pairwise.kthNeighbourDistance(z2, z1, k, false, manifold);
        return fromDistances(rho1, nu1, rho2, nu2, d, manifold);
    }

    /**
     * The estimate from precomputed k-th neighbour distances (so entropy and divergence can share
     * one neighbour search).
     *
     * @param rho1 within-sample distances of sample 1
     * @param nu1 distances from sample 1 to sample 2
     * @param rho2 within-sample distances of sample 2
     * @param nu2 distances from sample 2 to sample 1
     * @param d number of coordinates
     * @param manifold where the points live
     * @return both directions, J and D_sym
     */
    public static Result fromDistances(double[] rho1, double[] nu1, double[] rho2, double[] nu2, int d, Manifold manifold) {
        int[] zeros = new int[1];
        double kl12 = oneWay(rho1, nu1, nu2.length, d, manifold, zeros);
        double kl21 = oneWay(rho2, nu2, nu1.length, d, manifold, zeros);
        return new Result(kl12, kl21, kl12 + kl21, (kl12 + kl21) / 2, zeros[0]);
    }

    /** Computes the sample form from the neighbour distances (m = size of the other sample). */
    static double oneWay(double[] rho, double[] nu, int m, int d, Manifold manifold, int[] zeros) {
        int n = rho.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += manifold.logBallVolume(d, floor(nu[i], zeros)) - manifold.logBallVolume(d, floor(rho[i], zeros));
        }
        return sum / n + Math.log((double) m / (n - 1));
    }

    /**
     * One direction with its standard error over the points, {@code sd(terms) / sqrt(n)}.
     *
     * @param rho within-sample k-th neighbour distances
     * @param nu k-th neighbour distances to the other sample
     * @param m size of the other sample
     * @param d number of coordinates
     * @param manifold where the points live
     * @return KL estimate and its standard error
     */
    static Reliability.Value oneWayWithError(double[] rho, double[] nu, int m, int d, Manifold manifold) {
        int n = rho.length;
        int[] zeros = new int[1];
        double[] terms = new double[n];
        for (int i = 0; i < n; i++) {
            terms[i] = manifold.logBallVolume(d, floor(nu[i], zeros)) - manifold.logBallVolume(d, floor(rho[i], zeros));
        }
        return new Reliability.Value(Moments.mean(terms) + Math.log((double) m / (n - 1)), Moments.standardError(terms));
    }

    static double floor(double r, int[] zeros) {
        if (r <= 0) {
            zeros[0]++;
            return MIN_DISTANCE;
        }
        return r;
    }
}
