package org.gaplab.models;

import org.gaplab.core.Checks;

import java.util.List;

/**
 * Architecture of one encoder tower.
 *
 * @param kind linear (bias-free, the paper's) or MLP
 * @param inputDim input feature dimension
 * @param hidden hidden widths of an MLP, in order (must be empty for {@link TowerKind#LINEAR})
 * @param outputDim embedding dimension d
 * @param activation hidden nonlinearity of an MLP (ignored by a linear tower)
 * @param output how the last layer is mapped onto the manifold
 */
public record TowerConfig(
        TowerKind kind,
        int inputDim,
        List<Integer> hidden,
        int outputDim,
        Activation activation,
        OutputMap output) {

    /** Validates every field; messages start with the field name so callers can prefix a path. */
    public TowerConfig {
        Checks.notNull(kind, "kind");
        Checks.notNull(activation, "activation");
        Checks.notNull(output, "output");
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        Checks.positive(inputDim, "inputDim");
        Checks.positive(outputDim, "outputDim");
        for (int w : hidden) {
            Checks.check(w >= 1, "hidden", "every width must be >= 1, got " + hidden);
        }
        if (kind == TowerKind.LINEAR) {
            Checks.check(hidden.isEmpty(), "hidden", "a LINEAR tower has no hidden layers; use kind MLP");
        }
    }

    /** The paper's encoder: bias-free {@code d x d} linear map onto the sphere. */
    public static TowerConfig linear(int inputDim, int outputDim) {
        return new TowerConfig(TowerKind.LINEAR, inputDim, List.of(), outputDim, Activation.IDENTITY, OutputMap.SPHERE);
    }

    /** An MLP onto the sphere. */
    public static TowerConfig mlp(int inputDim, List<Integer> hidden, int outputDim, Activation activation) {
        return new TowerConfig(TowerKind.MLP, inputDim, hidden, outputDim, activation, OutputMap.SPHERE);
    }

    /** @return the number of scalar parameters of one run of this tower */
    public long parameterCount() {
        long n = 0;
        int in = inputDim;
        for (int w : hidden) {
            n += (long) in * w + w;
            in = w;
        }
        return n + (long) in * outputDim + (kind == TowerKind.MLP ? outputDim : 0);
    }

    /**
     * Floats an autograd graph of this tower keeps per input row: the input, about three arrays per
     * hidden layer (pre-activation, activation, what the nonlinearity's backward saves) and two or
     * three of the output's width (the map onto the sphere).
     *
     * @return floats per row
     */
    public long graphFloatsPerRow() {
        long floats = inputDim;
        for (int w : hidden) {
            floats += 3L * w;
        }
        return floats + 3L * outputDim;
    }
}
