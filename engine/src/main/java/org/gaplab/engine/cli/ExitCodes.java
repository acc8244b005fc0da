package org.gaplab.engine.cli;

/** Process exit codes of every gaplab command. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug): the stack trace is logged. */
    public static final int INTERNAL = 1;
    /** Bad input: unknown key, bad value, missing or malformed file, unusable device. */
    public static final int USAGE = 2;
    /** Training diverged (NaN or infinite loss); the last good checkpoint is kept. */
    public static final int DIVERGED = 3;
    /** Interrupted by SIGINT after writing a checkpoint (128 + 2). */
    public static final int INTERRUPTED = 130;
    /** Terminated by SIGTERM after writing a checkpoint (128 + 15). */
    public static final int TERMINATED = 143;

    private ExitCodes() {}
}
