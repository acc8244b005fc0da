package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Row blocks of a closed-form loss's logits {@code z1c z2t}, the one blocking scheme of
 * {@link BlockedLogits} and of {@link ClosedFormSymmetricInfoNce} (whose {@code z1c} is the
 * augmented {@code [c z1, -c]}, so that a block is {@code c (cos - 1)}). With one block the logits
 * are computed once and reused. A block leaves nothing behind: what outlives it was allocated
 * before the loop and is updated in place, so the allocator hands every block the memory the
 * previous one freed (arrays kept per block, interleaved with freed {@code [K, rows, B]} ones,
 * fragment the heap until the resident size grows with the number of blocks).
 */
final class RowBlocks {
    final NDArray z1c;
    final NDArray z2t;
    final long b;
    final long rows;
    final int count;
    private NDArray whole;

    RowBlocks(NDArray z1c, NDArray z2t, long b, int rowBlock) {
        this.z1c = z1c;
        this.z2t = z2t;
        this.b = b;
        this.rows = Math.min(b, rowBlock);
        this.count = (int) ((b + rows - 1) / rows);
    }

    /** @return rows of the block {@code [K, rows, B]}, owned by {@code scope} (or reused when whole) */
    NDArray logits(int i, NDManager scope) {
        if (count == 1) {
            if (whole == null) {
                whole = z1c.batchMatMul(z2t);
            }
            return whole;
        }
        return rowsOf(z1c, i, scope).batchMatMul(z2t);
    }

    /** @return the index of block i's rows, {@code [:, from:to]} */
    NDIndex index(int i) {
        return new NDIndex(":, {}:{}", i * rows, Math.min(b, (i + 1) * rows));
    }

    /** @return rows of block i of {@code a} {@code [K, B, *]}, attached to {@code scope} */
    NDArray rowsOf(NDArray a, int i, NDManager scope) {
        if (count == 1) {
            return a;
        }
        NDArray part = a.get(":, {}:{}", i * rows, Math.min(b, (i + 1) * rows));
        part.attach(scope);
        return part;
    }
}
