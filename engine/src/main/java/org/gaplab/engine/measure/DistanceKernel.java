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

    /** The distance itself, {@code k(x, y) = ||x - y||} (energy distance). */
    static DistanceKernel distance() {
        return NDArray::sqrt;
    }

    /**
     * The Gaussian RBF kernel {@code k(x, y) = exp(-||x - y||^2 / (2 s^2))}.
     *
     * @param bandwidth s > 0
     * @return the kernel
     */
    static DistanceKernel rbf(double bandwidth) {
        double scale = -1 / (2 * bandwidth * bandwidth);
        return d2 -> d2.mul(scale).exp();
    }
}
