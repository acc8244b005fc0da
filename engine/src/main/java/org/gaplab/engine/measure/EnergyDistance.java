package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * The energy distance of Szekely and Rizzo (2013) between two <em>independent</em> samples, as an
 * unbiased U-statistic (ordered pairs of distinct draws; the zero within-sample diagonal, which
 * biases the V-statistic by about 2 E||X - Y|| / m under equal laws, is left out):
 * <pre>
 *   E = 2 mean_{i,j} ||X_i - Y_j|| - mean_{i != i'} ||X_i - X_i'|| - mean_{j != j'} ||Y_j - Y_j'||,
 * </pre>
 * with Euclidean distance, which for unit vectors is the chordal distance
 * {@code sqrt(2 - 2<x, y>)} (docs/theory.md section 6). Its expectation is 0 iff the two laws agree (so
 * an estimate may be slightly negative). The samples must be independent: with paired rows the
 * partners pull the cross term down (a bias of about 2 delta / m, delta the mean partner
 * distance) and permutation tests are invalid; {@link GapMeasurer} takes them from disjoint halves
 * of the pairs.
 */
public final class EnergyDistance {
    /** Name used in reports. */
    public static final String NAME = "energy distance, unbiased U-statistic, Euclidean (chordal on the sphere), independent samples";

    private EnergyDistance() {}

    /**
     * @param energy {@code E}
     * @param crossMean {@code E||X - Y||}
     * @param within1 {@code E||X - X'||} over distinct draws
     * @param within2 {@code E||Y - Y'||} over distinct draws
     */
    public record Result(double energy, double crossMean, double within1, double within2) {}

    /**
     * @param sxx within-X mean (U)
     * @param syy within-Y mean (U)
     * @param sxy cross mean
     * @return the energy distance and its components
     */
    public static Result fromMeans(double sxx, double syy, double sxy) {
        return new Result(2 * sxy - sxx - syy, sxy, sxx, syy);
    }

    /**
     * The energy distance of two independent samples of distinct points, in one pass.
     *
     * @param x {@code [nx, d]}, nx >= 2
     * @param y {@code [ny, d]}, ny >= 2, same dtype
     * @param pairwise the chunk budget
     * @return the energy distance and its components
     */
    public static Result compute(NDArray x, NDArray y, Pairwise pairwise) {
        PooledPass.Result r = PooledPass.runTwoSamples(x, y, List.of(DistanceKernel.distance()), 0, 0, pairwise);
        return fromMeans(r.sxx()[0][0], r.syy()[0][0], r.sxy()[0][0]);
    }
}
