package org.gaplab.engine.train;

/** How a run ended. */
public enum RunStatus {
    /** All steps done. */
    COMPLETED,
    /** Stopped by a NaN/infinite loss; the last good checkpoint is kept. */
    DIVERGED,
    /** Stopped by a signal after writing a checkpoint; resumable. */
    INTERRUPTED
}
