package org.gaplab.engine.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder while the run driver lands. */
@Command(name = "train", description = "Train a dual encoder.")
public final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return ExitCodes.OK;
    }
}
