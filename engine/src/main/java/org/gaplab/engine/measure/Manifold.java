package org.gaplab.engine.measure;

import java.util.Locale;

/**
 * Where the embeddings live, which fixes the intrinsic dimension and the volume of balls that the
 * k-NN estimators use (docs/theory.md section 6): on the unit sphere {@code S^(d-1)} the intrinsic
 * dimension is d - 1 and densities are taken with respect to surface area; in {@code R^d} it is d
 * and densities are with respect to Lebesgue measure.
 */
public enum Manifold {
    /** The unit sphere {@code S^(d-1)}: geodesic distances, cap areas. */
    SPHERE,
    /** Euclidean space {@code R^d}: Euclidean distances, ball volumes. */
    EUCLIDEAN;

    /** @return the intrinsic dimension for embeddings with d coordinates */
    public int intrinsicDim(int d) {
        return this == SPHERE ? d - 1 : d;
    }

    /**
     * Log volume of the ball of radius r (geodesic on the sphere), in the base measure of densities:
     * sphere: {@link SpecialFunctions#logCapArea(int, double)}; {@code R^d}:
     * {@code ln(pi^(d/2) / Gamma(d/2 + 1)) + d ln r}.
     *
     * @param d number of coordinates of the embeddings
     * @param r radius
     * @return the log volume
     */
    public double logBallVolume(int d, double r) {
        if (this == SPHERE) {
            return SpecialFunctions.logCapArea(d - 1, r);
        }
        return SpecialFunctions.logUnitBallVolume(d) + d * Math.log(r);
    }

    /** @return a short label for reports, e.g. {@code sphere S^1} */
    public String label(int d) {
        return this == SPHERE ? "sphere S^" + (d - 1) : "R^" + d;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
