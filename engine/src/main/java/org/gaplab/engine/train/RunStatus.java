package org.gaplab.engine.train;

/** How a run ended. */
public enum RunStatus {
    /** All steps done. */
    COMPLETED,
    /**
     * Stopped by a NaN/infinite loss or parameters, or a collapse (zero gradients for a whole log
     * interval, zero-norm embeddings); the last good checkpoint is kept.
     */
    DIVERGED,
    /** Stopped by a signal after writing a checkpoint; resumable. */
    INTERRUPTED
}
