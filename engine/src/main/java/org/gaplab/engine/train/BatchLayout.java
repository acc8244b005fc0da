package org.gaplab.engine.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;

import java.util.List;

/**
 * Which runs can share one stacked computation, and how data is blocked. Runs may differ in seed,
 * name, data-source settings (e.g. sigma), temperature tau and learning rate; everything else
 * (architecture, batch size, steps, loss, optimiser kind, precision, intervals) must match, and so
 * must the loss's shift rule ({@link #singleShift}), which tau decides.
 */
public final class BatchLayout {
    /** Logits budget of the closed-form step, as {@link StepBlocks#LOGITS_BYTES}. */
    static final long LOGITS_BYTES = StepBlocks.LOGITS_BYTES;
    /** A tower's graph budget before its backward is chunked, as {@link StepBlocks#TOWER_GRAPH_BYTES}. */
    static final long TOWER_GRAPH_BYTES = StepBlocks.TOWER_GRAPH_BYTES;

    private BatchLayout() {}

    /**
     * @return the config with the per-run fields blanked: equal keys may be stacked
     */
    public static ObjectNode structureKey(RunConfig c) {
        ObjectNode t = ConfigLoader.toTree(c);
        t.remove("name");
        t.remove("seed");
        ObjectNode data = (ObjectNode) t.get("data");
        String kind = data.path("kind").asText();
        data.removeAll();
        data.put("kind", kind);
        ((ObjectNode) t.get("model").get("temperature")).remove("tau");
        ((ObjectNode) t.get("optim")).remove("lr");
        ((ObjectNode) t.get("eval")).remove("size");
        // tau may differ within a stack, but not across the single-shift bound: a stack takes one
        // shift rule, and a run must take the rule its own config gives, or a sweep row would
        // differ from its `train` run in the last float digits
        t.put("loss_shift", singleShift(c) ? "single" : "exact_maxima");
        return t;
    }

    /**
     * Whether a run's closed-form softmax losses shift every logit by the logit scale (one
     * exponential pass) rather than by exact row and column maxima: both towers end on the sphere
     * and {@code exp(-2c)} stays a normal number at the largest scale the run can reach. A
     * function of the run's own config, never of its stack companions.
     *
     * @param c the run
     * @return whether the single shift applies
     */
    public static boolean singleShift(RunConfig c) {
        double maxScale = c.model().temperature().learnable()
                ? Math.max(c.model().temperature().maxLogitScale(), 1 / c.model().temperature().tau())
                : 1 / c.model().temperature().tau();
        return c.model().tower1().output().onSphere() && c.model().tower2().output().onSphere()
                && org.gaplab.engine.loss.GradientRequest.shiftIsSafe(maxScale, c.precision().dataType().getNumOfBytes());
    }

    /** Throws unless all runs share one structure key. */
    public static void requireStackable(List<RunConfig> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to train");
        }
        ObjectNode first = structureKey(runs.get(0));
        for (int i = 1; i < runs.size(); i++) {
            if (!structureKey(runs.get(i)).equals(first)) {
                throw new IllegalArgumentException("run " + i + " (" + runs.get(i).name()
                        + ") differs from run 0 in more than seed, data settings, tau and lr (or tau crosses the loss's"
                        + " single-shift bound, see BatchLayout.singleShift); train it separately");
            }
        }
    }

    /**
     * Steps of data per block: a function of one run's config only (never of K), so a run's data
     * is the same however runs are chunked.
     */
    public static int blockSteps(RunConfig c, int dimX, int dimY) {
        return StepBlocks.blockSteps(c.batchSize(), dimX, dimY, c.precision().dataType().getNumOfBytes());
    }

    /** @return rows of the {@code [K, B, B]} logits processed at once ({@link StepBlocks#logitsRowBlock}) */
    public static int logitsRowBlock(int runs, int batch, int bytesPerElement) {
        return StepBlocks.logitsRowBlock(runs, batch, bytesPerElement);
    }
}
