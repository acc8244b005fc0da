package org.gaplab.engine.train;

import org.gaplab.engine.report.MetricsLog;
import org.gaplab.engine.report.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The listener sets of {@link TrainingLoop}, built in one order by every entry point
 * ({@code gaplab train} and {@link TrainingRun}, sweeps, the Java API):
 *
 * <ol>
 *   <li>the outputs ({@link RunOutputs}), first so that later listeners' {@code onEnd} see the result;</li>
 *   <li>the divergence check ({@link DivergenceCheck}), before any listener sees a diverged interval;</li>
 *   <li>the metrics lines ({@link MetricsListener});</li>
 *   <li>progress ({@link ProgressListener});</li>
 *   <li>the caller's own listeners (e.g. {@link PeriodicMeasure});</li>
 *   <li>checkpoints ({@link CheckpointListener});</li>
 *   <li>the stop signal ({@link StopSignal}), last: a stop comes after the step's checkpoint.</li>
 * </ol>
 *
 * <p>{@link #defaults} is the set of one run with a run directory, {@link #stacked} the set of a
 * chunk of stacked sweep runs; {@link #builder} composes any other.
 */
public final class TrainingListeners {
    private TrainingListeners() {}

    /** @return an empty set, to fill in the order above */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default set of one run: stop at the first divergence, "train" lines, progress with the
     * loss, checkpoints every {@code checkpointEvery} steps and at the end.
     *
     * @param runDir the run directory (the checkpoint is {@link org.gaplab.engine.checkpoint.Checkpoint#FILE_NAME} there)
     * @param checkpointEvery steps between checkpoints, 0 for only the final one
     * @param metrics the run's open metrics log
     * @param progress the run's progress line
     * @return the builder, to add outputs, the caller's listeners and the stop signal
     */
    public static Builder defaults(Path runDir, int checkpointEvery, MetricsLog metrics, Progress progress) {
        return new Builder().setDivergence(DivergenceCheck.stopOnFirst())
                .optMetrics(new MetricsListener(metrics))
                .optProgress(ProgressListener.withLoss(progress))
                .optCheckpoints(CheckpointListener.forRun(runDir.resolve(org.gaplab.engine.checkpoint.Checkpoint.FILE_NAME),
                        checkpointEvery));
    }

    /**
     * The set of a chunk of stacked runs (sweeps): divergence recorded per run, the loop going on;
     * progress in run-steps; one stacked checkpoint when the chunk completes.
     *
     * @param divergence the per-run check, read after the loop
     * @param runSteps receives run-steps done at each drain
     * @param checkpoint the chunk's checkpoint file, or null for none
     * @return the builder, to add the stop signal
     */
    public static Builder stacked(DivergenceCheck.PerRun divergence, LongConsumer runSteps, Path checkpoint) {
        Builder b = new Builder().setDivergence(divergence).optProgress(ProgressListener.runSteps(divergence.runs(), runSteps));
        return checkpoint == null ? b : b.optCheckpoints(CheckpointListener.atCompletion(checkpoint));
    }

    /** Collects the listeners of a loop; {@link #build} puts them in the one order. */
    public static final class Builder {
        private TrainingListener outputs;
        private TrainingListener divergence;
        private TrainingListener metrics;
        private TrainingListener progress;
        private final List<TrainingListener> own = new ArrayList<>();
        private TrainingListener checkpoints;
        private StopSignal stop;

        private Builder() {}

        /** @param l the outputs at the end (first) */
        public Builder optOutputs(TrainingListener l) {
            this.outputs = l;
            return this;
        }

        /** @param l the divergence check */
        public Builder setDivergence(TrainingListener l) {
            this.divergence = l;
            return this;
        }

        /** @param l the metrics lines */
        public Builder optMetrics(TrainingListener l) {
            this.metrics = l;
            return this;
        }

        /** @param l the progress report */
        public Builder optProgress(TrainingListener l) {
            this.progress = l;
            return this;
        }

        /** @param l one of the caller's listeners (they run in the order added) */
        public Builder optListener(TrainingListener l) {
            this.own.add(l);
            return this;
        }

        /** @param ls the caller's listeners */
        public Builder optListeners(List<? extends TrainingListener> ls) {
            this.own.addAll(ls);
            return this;
        }

        /** @param l the checkpoint writer */
        public Builder optCheckpoints(TrainingListener l) {
            this.checkpoints = l;
            return this;
        }

        /** @param s the stop signal (last) */
        public Builder optStop(StopSignal s) {
            this.stop = s;
            return this;
        }

        /** @return the listeners, in the one order, those not set left out */
        public List<TrainingListener> build() {
            List<TrainingListener> all = new ArrayList<>();
            for (TrainingListener l : new TrainingListener[] {outputs, divergence, metrics, progress}) {
                if (l != null) {
                    all.add(l);
                }
            }
            all.addAll(own);
            if (checkpoints != null) {
                all.add(checkpoints);
            }
            if (stop != null) {
                all.add(stop);
            }
            return List.copyOf(all);
        }
    }
}
