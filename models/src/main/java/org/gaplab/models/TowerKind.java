package org.gaplab.models;

/** Architecture family of one encoder tower. */
public enum TowerKind {
    /** One bias-free linear map, the paper's encoder: {@code z = map(x W)}. */
    LINEAR,
    /** Linear layers with biases and a nonlinearity between them; the last layer is linear. */
    MLP
}
