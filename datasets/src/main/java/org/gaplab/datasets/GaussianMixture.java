package org.gaplab.datasets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * An isotropic Gaussian mixture in R^D with equally likely components whose means lie on a sphere
 * of radius {@code meanNorm}: {@code x = mu_c + sd * eps}, {@code c ~ U{1..C}},
 * {@code mu_c = meanNorm * g_c / ||g_c||}, {@code g_c, eps ~ N(0, I)}. The means are themselves
 * random (drawn by {@link #drawMeans}), so one mixture belongs to one seed. Draws use the engine
 * generator as the caller seeded it.
 *
 * @param components C, >= 1
 * @param dim D, >= 1
 * @param meanNorm radius of the means, >= 0
 * @param sd per-coordinate standard deviation, > 0
 */
public record GaussianMixture(int components, int dim, double meanNorm, double sd) {
    /** Validates. */
    public GaussianMixture {
        if (components < 1 || dim < 1) {
            throw new IllegalArgumentException("components, dim: must be >= 1, got " + components + ", " + dim);
        }
        if (!(meanNorm >= 0) || !Double.isFinite(meanNorm)) {
            throw new IllegalArgumentException("meanNorm: must be >= 0, got " + meanNorm);
        }
        if (!(sd > 0) || !Double.isFinite(sd)) {
            throw new IllegalArgumentException("sd: must be > 0, got " + sd);
        }
    }

    /**
     * @param manager owner and device
     * @param dataType float32 or float64
     * @return the component means, {@code [C, D]}
     */
    public NDArray drawMeans(NDManager manager, DataType dataType) {
        NDArray g = manager.randomNormal(new Shape(components, dim), dataType);
        return g.div(g.norm(new int[] {1}, true).add(1e-12)).mul(meanNorm);
    }

    /**
     * Draws n points: the component of each is uniform, its offset Gaussian.
     *
     * @param means component means from {@link #drawMeans}, {@code [C, D]}
     * @param n number of points
     * @return {@code [n, D]} on the means' manager
     */
    public NDArray sample(NDArray means, int n) {
        NDManager m = means.getManager();
        // one-hot rows select a mean by a matrix product, which avoids an index gather
        NDArray comp = m.randomInteger(0, components, new Shape(n), DataType.INT64);
        NDArray oneHot = comp.oneHot(components).toType(means.getDataType(), false);
        NDArray noise = m.randomNormal(new Shape(n, dim), means.getDataType()).mul(sd);
        return oneHot.matMul(means).add(noise);
    }
}
