package org.gaplab.models;

import ai.djl.ndarray.NDArray;

/** Hidden-layer nonlinearity of an MLP tower. */
public enum Activation {
    /** {@code max(x, 0)}. */
    RELU,
    /** Gaussian error linear unit, tanh approximation (as in GPT-2 and open_clip's MLPs). */
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
                return x.maximum(0);
            case GELU:
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                NDArray inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
                return x.mul(inner.tanh().add(1)).mul(0.5);
            case TANH:
                return x.tanh();
            case IDENTITY:
            default:
                return x.duplicate();
        }
    }
}
