package org.gaplab.engine.step;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/** Where a trainer's training pairs come from, one data block of one run at a time. */
@FunctionalInterface
public interface DataBlocks {
    /**
     * @param manager where the pairs must live (the trainer's device)
     * @param run the run k
     * @param block the data block; it covers steps {@code [block S, (block + 1) S)}
     * @param rows {@code S * batch_size} pairs, step by step
     * @return {@code [x, y]}, each {@code [rows, dim]}
     */
    NDList sample(NDManager manager, int run, long block, int rows);
}
