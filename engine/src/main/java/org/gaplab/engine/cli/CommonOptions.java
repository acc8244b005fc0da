package org.gaplab.engine.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import picocli.CommandLine.Option;

/** Options every command shares (mixed in). */
public final class CommonOptions {
    @Option(names = {"-v", "--verbose"}, description = "Debug logging, and stack traces on errors.")
    boolean verbose;

    @Option(names = "--threads", paramLabel = "N",
            description = "Intra-op CPU threads of libtorch (default: all cores). Recorded in provenance.")
    Integer threads;

    /** Steps with less arithmetic than this (multiply-adds) run fastest on one intra-op thread. */
    public static final long SMALL_STEP_WORK = 4L << 20;

    /**
     * Applies logging and thread settings, choosing one intra-op thread for small steps when
     * {@code --threads} was not given: thread start-up and joins cost more than they save on a
     * 256 x 256 logit matrix (measured: 1.5 ms/step on one thread vs 2.5 ms on two, 2-core CPU).
     *
     * @param workPerStep approximate multiply-adds per training step
     */
    public void apply(long workPerStep) {
        apply();
        if (threads == null && workPerStep < SMALL_STEP_WORK && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            org.apache.logging.log4j.LogManager.getLogger(CommonOptions.class)
                    .info("threads: 1 (a small step; --threads N to change)");
        }
    }

    /** Applies logging level and thread settings; must run before the engine loads. */
    public void apply() {
        org.gaplab.engine.device.NativeThreadPolicy.apply();
        if (verbose) {
            Configurator.setLevel("org.gaplab", Level.DEBUG);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new UserException("--threads must be >= 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** @return whether stack traces should be shown */
    public boolean verbose() {
        return verbose;
    }

    /** @return the requested thread count, or null for libtorch's default */
    public Integer threads() {
        return threads;
    }
}
