package org.gaplab.engine.train;

import org.gaplab.engine.step.IntervalMetrics;

import java.nio.file.Path;

/**
 * Observes the {@link TrainingLoop}: divergence checks, {@code metrics.jsonl}, progress,
 * checkpoints, periodic measurement, the summary and figures live in listeners, not in the loop.
 * Every method has a default.
 *
 * <p>Two views of the same events: the loop view ({@code onStart(TrainingLoop)} and so on) sees
 * every loop (runs, sweep chunks, bench, the Gibbs particles); the run view
 * ({@code onStart(TrainingRun, Trainer)} and so on) sees the loop of a {@link TrainingRun}, to which
 * the loop view's defaults forward. A listener for runs overrides the run view; a listener for
 * any loop overrides the loop view.
 */
public interface TrainingListener {
    /** Called once before the first step (after a resume has restored the state). */
    default void onStart(TrainingLoop loop) {
        if (loop.run() != null) {
            onStart(loop.run(), loop.trainer());
        }
    }

    /**
     * Called after each metrics drain (every {@code logEvery} steps and at the last step). A
     * listener may end the run here ({@link TrainingLoop#diverged}).
     */
    default void onInterval(TrainingLoop loop, IntervalMetrics metrics) {
        if (loop.run() != null) {
            onInterval(loop.run(), loop.trainer(), metrics);
        }
    }

    /** Called after every step, after {@link #onInterval} on a log step (checkpoints live here). */
    default void onStep(TrainingLoop loop) {}

    /** Called after a checkpoint has been written. */
    default void onCheckpoint(TrainingLoop loop, Path file) {
        if (loop.run() != null) {
            onCheckpoint(loop.run(), loop.trainer(), file);
        }
    }

    /**
     * Called once when the steps are done or a stop was requested, before {@link #onEnd}: the
     * place for the final checkpoint. Not called for a run that diverged.
     */
    default void beforeEnd(TrainingLoop loop) {}

    /**
     * Called once with the outcome, before the step source is closed. For a {@link TrainingRun}
     * the default forwards the run's result (built by the run's {@link RunOutputs}, which comes
     * first) to {@link #onEnd(TrainingRun, Trainer, RunResult)}.
     */
    default void onEnd(TrainingLoop loop, TrainingLoop.Outcome outcome) {
        if (loop.run() != null && loop.run().result() != null) {
            onEnd(loop.run(), loop.trainer(), loop.run().result());
        }
    }

    /** Called once the trainer exists (after a resume has restored it). */
    default void onStart(TrainingRun run, Trainer trainer) {}

    /** Called after each metrics drain (every {@code schedule.log_every} steps and at the end). */
    default void onInterval(TrainingRun run, Trainer trainer, IntervalMetrics metrics) {}

    /** Called after a checkpoint has been written. */
    default void onCheckpoint(TrainingRun run, Trainer trainer, Path file) {}

    /** Called once with the outcome, before the trainer is closed. */
    default void onEnd(TrainingRun run, Trainer trainer, RunResult result) {}

    /**
     * A listener that only acts on metric drains.
     *
     * @param action called with the loop and each drained interval
     * @return the listener
     */
    static TrainingListener atIntervals(java.util.function.BiConsumer<TrainingLoop, IntervalMetrics> action) {
        return new TrainingListener() {
            @Override
            public void onInterval(TrainingLoop loop, IntervalMetrics metrics) {
                action.accept(loop, metrics);
            }
        };
    }
}
