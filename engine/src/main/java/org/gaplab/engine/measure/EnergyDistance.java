package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.List;

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
        return fromFormsImpl(forms);
    }

    /**
     * The energy distance of two samples in one pass of {@link Pairwise#quadraticForms}.
     *
     * @param z1 {@code [n1, d]}
     * @param z2 {@code [n2, d]}
     * @param pairwise the chunked pairwise engine
     * @return the energy distance and its components
     */
    public static Result compute(NDArray z1, NDArray z2, Pairwise pairwise) {
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        try (NDManager s = z1.getManager().newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            double[] w = new double[(n1 + n2) * 2];
            for (int i = 0; i < n1; i++) {
                w[2 * i] = 1.0 / n1;
            }
            for (int j = 0; j < n2; j++) {
                w[2 * (n1 + j) + 1] = 1.0 / n2;
            }
            NDArray pooled = NDArrays.concat(new NDList(z1, z2)).toType(DataType.FLOAT64, false);
            double[][][] forms = pairwise.quadraticForms(pooled, s.create(w, new Shape(n1 + n2, 2)),
                    List.of(DistanceKernel.distance()));
            return fromFormsImpl(forms[0]);
        }
    }

    private static Result fromFormsImpl(double[][] forms) {
        double xx = forms[0][0];
        double yy = forms[1][1];
        double xy = forms[0][1];
        return new Result(2 * xy - xx - yy, xy, xx, yy);
    }
}
