package org.gaplab.engine.train;

import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.StepSource;

import java.nio.file.Path;
import java.util.List;

/**
 * The one training loop. It drives a {@link StepSource} from the step it stands at to
 * {@code steps}, and everything else (divergence checks, {@code metrics.jsonl}, progress,
 * checkpoints, periodic measurement, the summary and figures) is a {@link TrainingListener}
 * that the caller chooses: {@link TrainingRun} (one run with a run directory),
 * {@code Sweeps.trainChunk} (a chunk of stacked sweep runs), the unimodal Gibbs particles and
 * {@code gaplab bench} differ only in their listeners and their step source.
 *
 * <p>Per step the loop calls {@link StepSource#step()} (which runs in its own NDManager scope and
 * does not copy anything to the host), then every listener's {@link TrainingListener#onStep}.
 * Every {@code logEvery} steps and at the last step it drains the interval's metrics, the loop's
 * one deliberate host sync, and hands them to {@link TrainingListener#onInterval}.
 *
 * <p>Listeners end the run early: a divergence check with {@link #diverged} (the remaining
 * listeners do not see the event that ended it), a {@link StopSignal} with {@link #interrupted}
 * after a step that is not the last. When the
 * steps are done or a stop was requested, {@link TrainingListener#beforeEnd} lets listeners finish
 * (the final checkpoint, which may still find the state non-finite and end it as diverged); then
 * every listener gets {@link TrainingListener#onEnd} with the {@link Outcome}.
 */
public final class TrainingLoop {
    /**
     * How a loop ended.
     *
     * @param status completed, diverged or interrupted
     * @param step steps completed when it ended
     * @param reason why it ended early (divergence, collapse, the stop signal), else null
     * @param metrics the interval drained at the end, or the one that showed a divergence; null
     *     when none was drained in this loop or when the run ended between log steps
     * @param seconds wall time of the steps (the final checkpoint and outputs not included)
     */
    public record Outcome(RunStatus status, long step, String reason, IntervalMetrics metrics, double seconds) {}

    private final StepSource source;
    private final long steps;
    private final int logEvery;
    private final List<TrainingListener> listeners;
    private final TrainingRun run;
    private final long startStep;
    private long t0;
    private IntervalMetrics lastMetrics;
    private Outcome ended;

    private TrainingLoop(StepSource source, long steps, int logEvery, List<TrainingListener> listeners, TrainingRun run) {
        if (logEvery < 1) {
            throw new IllegalArgumentException("logEvery must be at least 1, got " + logEvery);
        }
        this.source = source;
        this.steps = steps;
        this.logEvery = logEvery;
        this.listeners = List.copyOf(listeners);
        this.run = run;
        this.startStep = source.stepsDone();
    }

    /**
     * Runs a step source to {@code steps}.
     *
     * @param source what to step
     * @param steps the step to stop at
     * @param logEvery steps between metric drains (the last step always drains)
     * @param listeners notified in list order (a {@link StopSignal} among them makes the run stoppable)
     * @return how the loop ended
     */
    public static Outcome run(StepSource source, long steps, int logEvery, List<TrainingListener> listeners) {
        return new TrainingLoop(source, steps, logEvery, listeners, null).drive();
    }

    /** As {@link #run(StepSource, long, int, List)} for a {@link TrainingRun}, which listeners can see. */
    static Outcome run(TrainingRun run, Trainer trainer, int logEvery, List<TrainingListener> listeners) {
        return new TrainingLoop(trainer, run.config().steps(), logEvery, listeners, run).drive();
    }

    private Outcome drive() {
        listeners.forEach(l -> l.onStart(this));
        t0 = System.nanoTime();
        while (ended == null && source.stepsDone() < steps) {
            source.step();
            long s = source.stepsDone();
            boolean last = s == steps;
            if (s % logEvery == 0 || last) {
                IntervalMetrics im = source.drainMetrics(); // host sync point: once per log interval
                lastMetrics = im;
                notify(l -> l.onInterval(this, im));
            }
            notify(l -> l.onStep(this));
        }
        if (ended == null) {
            ended = outcome(RunStatus.COMPLETED, null, lastMetrics);
        }
        if (ended.status() != RunStatus.DIVERGED) {
            notify(l -> l.beforeEnd(this));
        }
        Outcome o = ended;
        listeners.forEach(l -> l.onEnd(this, o));
        return o;
    }

    /** Calls listeners in order until one of them ends the run. */
    private void notify(java.util.function.Consumer<TrainingListener> event) {
        for (TrainingListener l : listeners) {
            if (ended != null && ended.status() == RunStatus.DIVERGED) {
                return;
            }
            event.accept(l);
        }
    }

    private Outcome outcome(RunStatus status, String reason, IntervalMetrics at) {
        return new Outcome(status, source.stepsDone(), reason, at, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Ends the run as diverged, from a listener: the loop stops after the current event, the
     * listeners after this one do not see that event, and no {@code beforeEnd} runs.
     *
     * @param reason why, in words
     * @param at the interval that showed it, or null when it showed between log steps
     */
    public void diverged(String reason, IntervalMetrics at) {
        ended = outcome(RunStatus.DIVERGED, reason, at);
    }

    /**
     * Ends the run as interrupted after the current step, from a listener (a {@link StopSignal}):
     * the remaining listeners still see the step, then {@code beforeEnd} writes what must be kept.
     * Ignored after the last step (the run is complete) and once the run has ended.
     *
     * @param reason why, in words
     */
    public void interrupted(String reason) {
        if (ended == null && !atEnd()) {
            ended = outcome(RunStatus.INTERRUPTED, reason, lastMetrics);
        }
    }

    /**
     * Tells every listener that a checkpoint was written (the checkpoint listener calls this).
     *
     * @param file the checkpoint
     */
    public void checkpointWritten(Path file) {
        listeners.forEach(l -> l.onCheckpoint(this, file));
    }

    /** @return the step source */
    public StepSource source() {
        return source;
    }

    /** @return the source as a {@link Trainer}, or null when it is another kind of step source */
    public Trainer trainer() {
        return source instanceof Trainer t ? t : null;
    }

    /** @return the {@link TrainingRun} this loop belongs to, or null (sweeps, bench) */
    public TrainingRun run() {
        return run;
    }

    /** @return the step the loop stops at */
    public long steps() {
        return steps;
    }

    /** @return the step the loop started from (non-zero on resume) */
    public long startStep() {
        return startStep;
    }

    /** @return steps between metric drains */
    public int logEvery() {
        return logEvery;
    }

    /** @return whether the last step is done */
    public boolean atEnd() {
        return source.stepsDone() == steps;
    }

    /** @return the outcome so far: null while the run goes on */
    public Outcome outcome() {
        return ended;
    }

    /** @return seconds since the first step started */
    public double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }
}
