package org.gaplab.models;

import ai.djl.ndarray.NDArray;

/** How a tower's last layer is mapped onto the embedding manifold (docs/theory.md section 1). */
public enum OutputMap {
    /** L2 normalisation onto the unit sphere S^{d-1}: {@code z / max(||z||, 1e-12)}. */
    SPHERE,
    /** Elementwise {@code tanh}, embeddings in (-1, 1)^d: used with the RBF critic. */
    TANH,
    /** Raw vectors in R^d. */
    NONE;

    /** Smallest norm divided by, as in PyTorch's {@code F.normalize}. */
    public static final double NORM_EPS = 1e-12;

    /**
     * Maps raw outputs {@code [..., d]} onto the manifold along the last axis.
     *
     * @param z raw outputs
     * @return a new array on {@code z}'s manager
     */
    public NDArray apply(NDArray z) {
        switch (this) {
            case SPHERE:
                return z.div(Scalars.atLeast(z.norm(new int[] {-1}, true), NORM_EPS));
            case TANH:
                return z.tanh();
            case NONE:
            default:
                return z.duplicate();
        }
    }

    /** @return true when embeddings are unit vectors, so the intrinsic dimension is d - 1 */
    public boolean onSphere() {
        return this == SPHERE;
    }
}
