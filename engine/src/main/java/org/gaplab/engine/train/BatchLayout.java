package org.gaplab.engine.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;

import java.util.List;

/**
 * Which runs can share one stacked computation, and how data is blocked. Runs may differ in seed,
 * name, data-source settings (e.g. sigma), temperature tau and learning rate; everything else
 * (architecture, batch size, steps, loss, optimiser kind, precision, intervals) must match.
 */
public final class BatchLayout {
    /** Bytes of training data one run may pre-generate per block. */
    static final long BLOCK_BYTES_PER_RUN = 8L << 20;
    /** Most steps of data generated at once. */
    static final int MAX_BLOCK_STEPS = 100;
    /**
     * Bytes one {@code [K, rows, B]} logits array may take in the closed-form step (a few such
     * arrays live at once); above it the logits are processed in row blocks. System property
     * {@code gaplab.logitsMiB} overrides it. 16 MiB keeps each block's arrays below glibc's
     * largest automatic mmap threshold (32 MiB), so a freed block's memory is handed to the next
     * block; at 64 MiB every array was a fresh mapping whose pages the kernel faulted in and
     * zeroed each time, which made a B = 16,384 step take two to three times longer.
     */
    static final long LOGITS_BYTES = Long.getLong("gaplab.logitsMiB", 16) << 20;

    /**
     * Bytes a tower's autograd graph may take for one backward pass; past it the tower's backward
     * runs in cached chunks of rows. System property {@code gaplab.towerGraphMiB} overrides it.
     */
    static final long TOWER_GRAPH_BYTES = Long.getLong("gaplab.towerGraphMiB", 64) << 20;

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
        return t;
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
                        + ") differs from run 0 in more than seed, data settings, tau and lr; train it separately");
            }
        }
    }

    /**
     * Steps of data per block: a function of one run's config only (never of K), so a run's data
     * is the same however runs are chunked.
     */
    public static int blockSteps(RunConfig c, int dimX, int dimY) {
        long bytesPerStep = (long) c.batchSize() * (dimX + dimY) * c.precision().dataType().getNumOfBytes();
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
    public static int logitsRowBlock(int runs, int batch, int bytesPerElement) {
        long perRow = (long) runs * batch * bytesPerElement;
        return (int) Math.max(1, Math.min(batch, LOGITS_BYTES / perRow));
    }
}
