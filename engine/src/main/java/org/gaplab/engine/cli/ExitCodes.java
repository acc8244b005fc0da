package org.gaplab.engine.cli;

/** Process exit codes of every gaplab command. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug): the stack trace is logged. */
    public static final int INTERNAL = 1;
    /**
     * Bad input: unknown key, bad value, missing, malformed or damaged file, unusable device; or a
     * refused operation (output directory locked by another process, memory over budget).
     */
    public static final int USAGE = 2;
    /**
     * Training diverged (NaN or infinite loss or parameters) or collapsed (zero gradients for a
     * whole log interval, zero-norm embeddings); the last good checkpoint, if any, is kept.
     */
    public static final int DIVERGED = 3;
    /** Interrupted by SIGINT after writing a checkpoint (128 + 2). */
    public static final int INTERRUPTED = 130;
    /** Terminated by SIGTERM after writing a checkpoint (128 + 15). */
    public static final int TERMINATED = 143;

    private ExitCodes() {}
}
