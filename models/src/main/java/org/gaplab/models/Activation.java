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
     * @return a new array, attached to {@code x}'s manager
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
                return x.duplicate();
        }
    }
}
