package org.gaplab.engine.train;

import java.nio.file.Path;

/**
 * Observes a {@link TrainingRun}: logging, progress, periodic measurement and the like live in
 * listeners, not in the loop. Every method has an empty default.
 */
public interface TrainingListener {
    /** Called once the trainer exists (after a resume has restored it). */
    default void onStart(TrainingRun run, Trainer trainer) {}

    /** Called after each metrics drain (every {@code schedule.log_every} steps and at the end). */
    default void onInterval(TrainingRun run, Trainer trainer, IntervalMetrics metrics) {}

    /** Called after a checkpoint has been written. */
    default void onCheckpoint(TrainingRun run, Trainer trainer, Path file) {}

    /** Called once with the outcome, before the trainer is closed. */
    default void onEnd(TrainingRun run, Trainer trainer, RunResult result) {}
}
