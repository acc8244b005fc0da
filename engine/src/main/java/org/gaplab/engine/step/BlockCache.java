package org.gaplab.engine.step;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The current data block of K stacked runs: S steps of B pairs per run, generated at once on the
 * device ({@link DataBlocks}) and kept until a step needs the next block. Block b covers steps
 * {@code [b S, (b + 1) S)}; S is a function of one run's config ({@code StepBlocks.blockSteps}).
 */
public final class BlockCache implements AutoCloseable {
    private final NDManager parent;
    private final DataBlocks data;
    private final int runs;
    private final int blockSteps;
    private final int batch;
    private NDManager blockManager;
    private NDList block;
    private long blockIndex = -1;

    /**
     * @param parent the manager each block's own manager hangs from
     * @param data where the pairs come from
     * @param runs K
     * @param blockSteps S
     * @param batch B
     */
    public BlockCache(NDManager parent, DataBlocks data, int runs, int blockSteps, int batch) {
        this.parent = parent;
        this.data = data;
        this.runs = runs;
        this.blockSteps = blockSteps;
        this.batch = batch;
    }

    /**
     * Makes the block of {@code step} current, generating it per run when it is not.
     *
     * @param step the step about to run
     * @return {@code [x, y]} of the block, {@code [K, S, B, dim]} each; row {@code step % S} is the step's batch
     */
    public NDList forStep(long step) {
        long index = step / blockSteps;
        if (index == blockIndex) {
            return block;
        }
        if (blockManager != null) {
            blockManager.close();
        }
        blockManager = parent.newSubManager();
        NDList xs = new NDList();
        NDList ys = new NDList();
        try (NDManager scratch = blockManager.newSubManager()) {
            for (int k = 0; k < runs; k++) {
                NDList pair = data.sample(scratch, k, index, blockSteps * batch);
                xs.add(pair.get(0).reshape(blockSteps, batch, -1));
                ys.add(pair.get(1).reshape(blockSteps, batch, -1));
            }
            block = new NDList(NDArrays.stack(xs), NDArrays.stack(ys));
            block.attach(blockManager);
        }
        blockIndex = index;
        return block;
    }

    /** @return steps per block, S */
    public int blockSteps() {
        return blockSteps;
    }

    /** Forgets the current block (after a restore: the next step regenerates what it needs from the seeds). */
    public void invalidate() {
        blockIndex = -1;
    }

    @Override
    public void close() {
        if (blockManager != null) {
            blockManager.close();
            blockManager = null;
        }
    }
}
