package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * A kernel written as a function of the squared Euclidean (on the sphere: chordal) distance,
 * applied elementwise to a chunk of the pairwise matrix.
 */
public interface DistanceKernel {
    /**
     * @param squaredDistance {@code ||x - y||^2}, any shape
     * @return {@code k(x, y)}, same shape
     */
    NDArray apply(NDArray squaredDistance);

    /** @return {@code k(z, z)}, the kernel at distance 0 (what a U-statistic leaves out) */
    double atZero();

    /** The distance itself, {@code k(x, y) = ||x - y||} (energy distance). */
    static DistanceKernel distance() {
        return new DistanceKernel() {
            @Override
            public NDArray apply(NDArray d2) {
                return d2.sqrt();
            }

            @Override
            public double atZero() {
                return 0;
            }
        };
    }

    /**
     * The Gaussian RBF kernel {@code k(x, y) = exp(-||x - y||^2 / (2 s^2))}.
     *
     * @param bandwidth s > 0
     * @return the kernel
     */
    static DistanceKernel rbf(double bandwidth) {
        return expScaled(1 / (2 * bandwidth * bandwidth));
    }

    /**
     * {@code k(x, y) = exp(-t ||x - y||^2)} (Wang-Isola uniformity at t = 2).
     *
     * @param t the scale
     * @return the kernel
     */
    static DistanceKernel expScaled(double t) {
        return new DistanceKernel() {
            @Override
            public NDArray apply(NDArray d2) {
                return d2.mul(-t).exp();
            }

            @Override
            public double atZero() {
                return 1;
            }
        };
    }
}
