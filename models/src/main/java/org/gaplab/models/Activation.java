package org.gaplab.models;

import ai.djl.ndarray.NDArray;

/** Hidden-layer nonlinearity of an MLP tower. */
public enum Activation {
    /** {@code max(x, 0)}. */
    RELU,
    /** Gaussian error linear unit {@code x Phi(x)} (exact erf form, PyTorch's default), libtorch's fused kernel. */
    GELU,
    /** {@code tanh(x)}. */
    TANH,
    /** No nonlinearity. */
    IDENTITY;

    /**
     * Applies the nonlinearity.
     *
     * @param x the pre-activation
     * @return a new array, attached to {@code x}'s manager (for the identity, a view of x that
     *     autograd follows: DJL's {@code duplicate()} would cut the graph there)
     */
    public NDArray apply(NDArray x) {
        switch (this) {
            case RELU:
                return ai.djl.nn.Activation.relu(x);
            case GELU:
                return ai.djl.nn.Activation.gelu(x);
            case TANH:
                return x.tanh();
            case IDENTITY:
            default:
                return x.reshape(x.getShape());
        }
    }

    /** @return whether {@link #backwardInPlace} applies (GELU's derivative is left to autograd) */
    public boolean hasClosedFormBackward() {
        return this != GELU;
    }

    /**
     * Turns {@code g = dL/dh} into {@code dL/da} for {@code h = apply(a)}, in place, from the
     * output h alone, which it consumes (overwrites): ReLU {@code g sign(h)} (h is 0 or positive),
     * tanh {@code g (1 - h h)}, identity {@code g}. No pass allocates.
     *
     * @param h the activation's output; overwritten unless the activation is the identity
     * @param gradH {@code dL/dh}; overwritten with {@code dL/da}
     * @return {@code gradH}
     */
    public NDArray backwardInPlace(NDArray h, NDArray gradH) {
        switch (this) {
            case RELU:
                return gradH.muli(h.signi());
            case TANH:
                return gradH.muli(h.muli(h).negi().addi(1));
            case IDENTITY:
                return gradH;
            default:
                throw new IllegalStateException(this + " has no closed-form backward");
        }
    }
}
