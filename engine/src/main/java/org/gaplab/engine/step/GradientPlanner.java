package org.gaplab.engine.step;

import ai.djl.Device;

import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Tower;

/** Chooses a trainer's {@link GradientPlan} once, from the run's config, its loss and its towers. */
public final class GradientPlanner {
    private GradientPlanner() {}

    /**
     * Chooses the gradient route: the embedding split whenever the loss has a closed-form
     * {@code dL/dz} and {@code loss.closed_form} is on; per tower the linear closed form (linear
     * onto the sphere), the layer-wise closed form (ReLU, tanh or identity layers), else one
     * autograd backward; the last two in chunks of rows when the tower's activations or graph for
     * the whole batch would exceed {@code towerGraphBytes}.
     *
     * @param c the first run of the stack (every run has the same structure, {@link StepBlocks#structureKey})
     * @param loss the loss
     * @param model the stacked model
     * @param k runs in the stack
     * @param towerGraphBytes bytes one tower's graph may take before its backward is chunked
     * @return the plan, towers one after the other
     */
    public static GradientPlan plan(RunConfig c, PairLoss loss, DualEncoder model, int k, long towerGraphBytes) {
        int bytes = c.precision().dataType().getNumOfBytes();
        int b = c.batchSize();
        if (!c.loss().closedForm()) {
            return new GradientPlan(GradientPlan.Route.WHOLE_GRAPH, null, null, b, b, b, false, "loss.closed_form=false");
        }
        if (!c.loss().embeddingSplit()) {
            return new GradientPlan(GradientPlan.Route.WHOLE_GRAPH, null, null, b, b, b, false,
                    loss + " has no closed-form gradient with respect to the embeddings");
        }
        // every run of a stack has the same rule (StepBlocks.structureKey), so this is each run's own
        boolean unitShift = StepBlocks.singleShift(c);
        long chunk1 = model.tower1().graphChunkRows(k, bytes, towerGraphBytes);
        long chunk2 = model.tower2().graphChunkRows(k, bytes, towerGraphBytes);
        GradientPlan.TowerRoute r1 = towerRoute(model.tower1(), chunk1, b);
        GradientPlan.TowerRoute r2 = towerRoute(model.tower2(), chunk2, b);
        int rows = StepBlocks.logitsRowBlock(k, b, bytes);
        String why = loss + " has a closed-form dL/dz"
                + (rows < b ? "; logits [" + k + ", " + b + ", " + b + "] exceed " + (StepBlocks.LOGITS_BYTES >> 20) + " MiB" : "")
                + (Math.min(chunked(r1, chunk1, b), chunked(r2, chunk2, b)) < b
                        ? "; a tower's activations or graph for " + b + " rows exceed " + (towerGraphBytes >= 1 << 20 ? (towerGraphBytes >> 20) + " MiB"
                        : (towerGraphBytes >> 10) + " KiB") : "");
        return new GradientPlan(GradientPlan.Route.EMBEDDING_SPLIT, r1, r2, rows, chunked(r1, chunk1, b), chunked(r2, chunk2, b),
                unitShift, why);
    }

    /**
     * The intra-op threads the towers of a plan share when they run side by side, or 0 to run them
     * one after the other ({@link TowerBranches#threadsToShare}).
     *
     * @param device the trainer's device
     * @param plan the plan
     * @param c the first run of the stack
     * @return threads to share, or 0
     */
    public static int towerThreads(Device device, GradientPlan plan, RunConfig c) {
        long towerWorkPerRun = 3L * c.batchSize()
                * Math.min(c.model().tower1().parameterCount(), c.model().tower2().parameterCount());
        return TowerBranches.threadsToShare(device, plan, towerWorkPerRun);
    }

    /**
     * @param plan a plan with the towers one after the other
     * @param threads {@link #towerThreads}
     * @return the plan as it runs: side by side on those threads when there are any
     */
    public static GradientPlan sideBySide(GradientPlan plan, int threads) {
        return threads == 0 ? plan : plan.withSideBySide(TowerBranches.describe(threads));
    }

    /** Rows per backward chunk: the whole batch unless the route keeps a per-row graph or cache over budget. */
    private static long chunked(GradientPlan.TowerRoute r, long chunkRows, int batch) {
        return r == GradientPlan.TowerRoute.LINEAR_CLOSED_FORM ? batch : Math.min(batch, chunkRows);
    }

    private static GradientPlan.TowerRoute towerRoute(Tower t, long chunkRows, int batch) {
        if (t.hasClosedFormBackward()) {
            return GradientPlan.TowerRoute.LINEAR_CLOSED_FORM;
        }
        if (t.hasLayerBackward()) {
            return GradientPlan.TowerRoute.LAYERS;
        }
        return chunkRows >= batch ? GradientPlan.TowerRoute.TOWER_GRAPH : GradientPlan.TowerRoute.CACHED_CHUNKS;
    }
}
