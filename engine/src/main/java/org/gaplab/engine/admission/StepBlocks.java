package org.gaplab.engine.admission;

/**
 * How one training step is cut into blocks, defined once: steps of data generated at once, rows of
 * the logits processed at once, and a tower's autograd-graph budget. The trainer follows these
 * rules ({@code train.BatchLayout}) and the memory estimate counts by them
 * ({@link MemoryAdmission}), so the two cannot drift apart.
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
