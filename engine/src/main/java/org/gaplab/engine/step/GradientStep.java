package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.models.DualEncoder;

/**
 * One optimisation update of K stacked runs from one batch: the loss, its gradient by the plan's
 * route, and the optimiser's step. The trainer does not know whether the gradient came from the
 * embedding split ({@link EmbeddingSplitStep}) or whole-graph autograd ({@link WholeGraphStep}).
 */
public interface GradientStep extends AutoCloseable {
    /**
     * Chooses the step of a plan once, and marks the parameters whose gradient autograd writes.
     *
     * @param plan the gradient plan ({@link GradientPlanner})
     * @param model the stacked model
     * @param loss the loss
     * @param optimizer the optimiser over the model's parameters
     * @param learnableScale whether the logit scale is trained
     * @param towerThreads intra-op threads the towers share side by side ({@link GradientPlanner#towerThreads}), or 0
     * @return the step
     */
    static GradientStep create(GradientPlan plan, DualEncoder model, PairLoss loss, Optimizer optimizer,
            boolean learnableScale, int towerThreads) {
        if (plan.route() == GradientPlan.Route.WHOLE_GRAPH) {
            model.parameters().requireGradients();
            return new WholeGraphStep(model, loss, optimizer);
        }
        return new EmbeddingSplitStep(plan, model, loss, optimizer, learnableScale, towerThreads);
    }

    /**
     * Computes every run's loss and gradient on a batch and updates the parameters (the logit
     * scale is left unclamped). Runs inside the caller's step scope; no host sync.
     *
     * @param scope the step's manager; parameters and optimiser state are attached to it
     * @param x modality-1 inputs {@code [K, B, in1]}
     * @param y modality-2 inputs {@code [K, B, in2]}
     * @param lrFactor the schedule's multiplier
     * @return the per-run loss and gradient norm
     */
    Update apply(NDManager scope, NDArray x, NDArray y, double lrFactor);

    /**
     * What an update produced, on the step's scope.
     *
     * @param loss per-run loss {@code [K]}
     * @param gradNorm per-run gradient norm before clipping {@code [K]}
     * @param lossParts the loss's named parts per run {@code [K]} ({@code PairLoss#parts}), empty when it reports none
     */
    record Update(NDArray loss, NDArray gradNorm, java.util.Map<String, NDArray> lossParts) {}

    /** Releases threads the step holds (none by default). */
    @Override
    default void close() {}
}
