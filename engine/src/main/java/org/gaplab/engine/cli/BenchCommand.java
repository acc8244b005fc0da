package org.gaplab.engine.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder while the run driver lands. */
@Command(name = "bench", description = "Benchmark training steps per second.")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return ExitCodes.OK;
    }
}
