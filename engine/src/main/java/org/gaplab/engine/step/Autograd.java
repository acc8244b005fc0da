package org.gaplab.engine.step;

import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

/**
 * The one way main code enters libtorch's autograd: everything else computes gradients in closed
 * form ({@link org.gaplab.engine.loss.PairLoss#valueAndGradient}, the linear towers' products).
 * The trainer records at each run's start which parameters take this path and why
 * ({@link GradientPlan}, written to {@code summary.json} and provenance).
 *
 * <p>Two rules hold for every graph built under a collector: scalar operands go through
 * {@link org.gaplab.models.Scalars} (DJL's number operations leave the backward pass reading a
 * freed buffer), and {@code .grad} accumulates across backward passes, so a caller that reads
 * a parameter's gradient also resets it.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * @param manager any manager of the engine the graph runs on
     * @return a collector; operations between its creation and {@code close()} are recorded
     */
    public static GradientCollector record(NDManager manager) {
        return manager.getEngine().newGradientCollector();
    }
}
