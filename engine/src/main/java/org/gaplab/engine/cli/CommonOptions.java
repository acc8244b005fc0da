package org.gaplab.engine.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import picocli.CommandLine.Option;

import org.gaplab.core.UserException;

/** Options every command shares (mixed in). */
public final class CommonOptions {
    @Option(names = {"-v", "--verbose"}, description = "Debug logging, and stack traces on errors.")
    boolean verbose;

    @Option(names = "--threads", paramLabel = "N",
            description = "Intra-op CPU threads of libtorch (default: all cores). Recorded in provenance.")
    Integer threads;

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "Largest peak memory a command may plan for, e.g. 8g or 512m; work whose estimate exceeds it "
                + "is refused before it starts (default: 50%% of physical memory on CPU, 80%% of a GPU's).")
    String memoryBudget;

    /** Most intra-op threads per core that --threads accepts. */
    public static final int MAX_THREADS_PER_CORE = 4;

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
            int cores = Runtime.getRuntime().availableProcessors();
            if (threads > MAX_THREADS_PER_CORE * cores) {
                // libtorch starts every thread it is given, and thousands of them starve the machine
                throw new UserException("--threads must be at most " + MAX_THREADS_PER_CORE + " x " + cores + " cores = "
                        + MAX_THREADS_PER_CORE * cores + ", got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** @return the --memory-budget in bytes, or null for the default */
    public Long memoryBudget() {
        if (memoryBudget == null) {
            return null;
        }
        return org.gaplab.engine.admission.MemoryAdmission.parseSize(memoryBudget, "--memory-budget");
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
