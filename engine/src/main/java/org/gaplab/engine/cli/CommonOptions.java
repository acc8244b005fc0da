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

    /** Applies logging level and thread settings; must run before the engine loads. */
    public void apply() {
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
