package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import org.gaplab.engine.loss.LossValue;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.models.DualEncoder;

/**
 * {@link GradientPlan.Route#WHOLE_GRAPH}: autograd through the whole graph, towers and logits, of
 * the sum of the runs' losses (runs share no terms, so each run gets its own gradient).
 */
final class WholeGraphStep implements GradientStep {
    private final DualEncoder model;
    private final PairLoss loss;
    private final Optimizer optimizer;

    WholeGraphStep(DualEncoder model, PairLoss loss, Optimizer optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    @Override
    public Update apply(NDManager scope, NDArray x, NDArray y, double lrFactor) {
        LossValue perRun;
        try (GradientCollector gc = Autograd.record(scope)) {
            NDArray z1 = model.embed1(x);
            NDArray z2 = model.embed2(y);
            perRun = loss.perRunWithParts(z1, z2, model.logitScale());
            gc.backward(perRun.total().sum());
        }
        return new Update(perRun.total(), optimizer.step(model.parameters(), lrFactor), perRun.parts());
    }
}
