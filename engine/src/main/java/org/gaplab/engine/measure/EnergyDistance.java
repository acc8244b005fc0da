package org.gaplab.engine.measure;

/**
 * The energy distance of Szekely and Rizzo (2013) between two samples, as a V-statistic (all
 * ordered pairs, diagonal included):
 * <pre>
 *   E = 2 E||X - Y|| - E||X - X'|| - E||Y - Y'||,
 * </pre>
 * with Euclidean distance, which for unit vectors is the chordal distance
 * {@code sqrt(2 - 2<x, y>)} (THEORY.md section 6). E >= 0, and E = 0 iff the distributions agree.
 * In weights {@code w = 1_X/n_X - 1_Y/n_Y} over the pooled points and the distance matrix D,
 * {@code E = -w^T D w}, which is how {@link PermutationTest} evaluates it.
 */
public final class EnergyDistance {
    /** Name used in reports. */
    public static final String NAME = "energy distance, V-statistic, Euclidean (chordal on the sphere)";

    private EnergyDistance() {}

    /**
     * @param energy {@code E}
     * @param crossMean {@code E||X - Y||}
     * @param within1 {@code E||X - X'||}
     * @param within2 {@code E||Y - Y'||}
     */
    public record Result(double energy, double crossMean, double within1, double within2) {}

    /**
     * @param forms {@code W^T D W} for W = [a, b], a = 1_X/n_X, b = 1_Y/n_Y (see
     *     {@link Pairwise#quadraticForms})
     * @return the energy distance and its components
     */
    public static Result fromForms(double[][] forms) {
        double xx = forms[0][0];
        double yy = forms[1][1];
        double xy = forms[0][1];
        return new Result(2 * xy - xx - yy, xy, xx, yy);
    }
}
