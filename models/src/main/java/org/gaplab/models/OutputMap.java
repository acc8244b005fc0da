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
     * @return a new array on {@code z}'s manager (for {@link #NONE}, a view of z)
     */
    public NDArray apply(NDArray z) {
        switch (this) {
            case SPHERE:
                return z.div(Scalars.atLeast(z.norm(new int[] {-1}, true), NORM_EPS));
            case TANH:
                return z.tanh();
            case NONE:
            default:
                return z.reshape(z.getShape());    // a view autograd follows; duplicate() would detach
        }
    }

    /**
     * The gradient through the map in closed form: given {@code g = dL/dz} for {@code z = apply(u)},
     * returns {@code dL/du}. Sphere: {@code (g - z <z, g>) / max(||u||, 1e-12)} (exact while
     * {@code ||u|| > 1e-12}); tanh: {@code g (1 - z^2)}; none: {@code g}.
     *
     * @param u the map's input {@code [..., d]}
     * @param z {@code apply(u)}
     * @param gradZ {@code dL/dz}
     * @return {@code dL/du}, a new array
     */
    public NDArray backward(NDArray u, NDArray z, NDArray gradZ) {
        switch (this) {
            case SPHERE:
                return sphereBackward(z, u.norm(new int[] {-1}, true).maximum(NORM_EPS), gradZ);
            case TANH:
                return gradZ.mul(z.square().negi().addi(1));
            case NONE:
            default:
                return gradZ.duplicate();
        }
    }

    /**
     * The sphere map's backward, {@code dL/du = (g - z <z, g>) / norm}, for callers that kept the
     * clamped norms of the forward pass.
     *
     * @param z unit embeddings {@code [..., d]}
     * @param norm {@code max(||u||, 1e-12)}, {@code [..., 1]}
     * @param gradZ {@code dL/dz}
     * @return {@code dL/du}, a new array
     */
    public static NDArray sphereBackward(NDArray z, NDArray norm, NDArray gradZ) {
        NDArray radial = z.mul(z.mul(gradZ).sum(new int[] {-1}, true));
        return gradZ.sub(radial).divi(norm);
    }

    /** @return true when embeddings are unit vectors, so the intrinsic dimension is d - 1 */
    public boolean onSphere() {
        return this == SPHERE;
    }
}
