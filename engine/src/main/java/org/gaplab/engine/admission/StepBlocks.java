package org.gaplab.engine.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.GradientRequest;

import java.util.List;

/**
 * How training steps are laid out, defined once: which runs can share one stacked computation
 * ({@link #structureKey}), steps of data generated at once, rows of the logits processed at once,
 * and a tower's autograd-graph budget. The trainer and its step follow these rules and the memory
 * estimate counts by them ({@link MemoryAdmission}), so the two cannot drift apart.
 *
 * <p>Runs of one stack may differ in seed, name, data-source settings (e.g. sigma), temperature
 * tau and learning rate; everything else (architecture, batch size, steps, loss, optimiser kind,
 * precision, intervals) must match, and so must the loss's shift rule ({@link #singleShift}),
 * which tau decides.
 */
public final class StepBlocks {
    /** Bytes of training data one run may pre-generate per block. */
    public static final long BLOCK_BYTES_PER_RUN = 8L << 20;
    /** Most steps of data generated at once. */
    public static final int MAX_BLOCK_STEPS = 100;
    /**
     * Bytes one {@code [K, rows, B]} logits array may take in the closed-form step (a few such
     * arrays live at once); above it the logits are processed in row blocks. System property
     * {@code gaplab.logitsMiB} overrides it. 16 MiB keeps each block's arrays below glibc's
     * largest automatic mmap threshold (32 MiB), so a freed block's memory is handed to the next
     * block; at 64 MiB every array was a fresh mapping whose pages the kernel faulted in and
     * zeroed each time, which made a B = 16,384 step take two to three times longer.
     */
    public static final long LOGITS_BYTES = Long.getLong("gaplab.logitsMiB", 16) << 20;
    /**
     * Bytes a tower's kept activations (layer-wise route) or autograd graph may take for one
     * backward pass; past it the tower's backward runs in chunks of rows, each embedded again.
     * System property {@code gaplab.towerGraphMiB} overrides it.
     */
    public static final long TOWER_GRAPH_BYTES = Long.getLong("gaplab.towerGraphMiB", 64) << 20;

    private StepBlocks() {}

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
                && GradientRequest.shiftIsSafe(maxScale, c.precision().dataType().getNumOfBytes());
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
                        + " single-shift bound, see StepBlocks.singleShift); train it separately");
            }
        }
    }

    /**
     * Steps of data per block of one run ({@link #blockSteps(long, long, long, long)} for its
     * config): never a function of K, so a run's data is the same however runs are chunked.
     */
    public static int blockSteps(RunConfig c, int dimX, int dimY) {
        return blockSteps(c.batchSize(), dimX, dimY, c.precision().dataType().getNumOfBytes());
    }

    /**
     * Steps of data per block: a function of one run's shapes only (never of K), so a run's data
     * is the same however runs are chunked.
     *
     * @param batch B
     * @param dimX input dimension of modality 1
     * @param dimY input dimension of modality 2
     * @param bytesPerElement of the training precision
     * @return steps per block, in [1, {@link #MAX_BLOCK_STEPS}]
     */
    public static int blockSteps(long batch, long dimX, long dimY, long bytesPerElement) {
        long bytesPerStep = batch * (dimX + dimY) * bytesPerElement;
        return (int) Math.max(1, Math.min(MAX_BLOCK_STEPS, BLOCK_BYTES_PER_RUN / Math.max(1, bytesPerStep)));
    }

    /**
     * Rows of the {@code [K, B, B]} logits processed at once: all B when the whole matrix fits
     * {@link #LOGITS_BYTES}, else the most that do (at least 1). Blocking changes only the
     * summation order, never a run's result beyond rounding.
     *
     * @param runs K
     * @param batch B
     * @param bytesPerElement of the training precision
     * @return rows per block, {@code <= B}
     */
    public static int logitsRowBlock(long runs, long batch, long bytesPerElement) {
        long perRow = Math.max(1, runs * batch * bytesPerElement);
        return (int) Math.max(1, Math.min(batch, LOGITS_BYTES / perRow));
    }
}
