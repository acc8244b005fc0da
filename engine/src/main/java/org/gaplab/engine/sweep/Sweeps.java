package org.gaplab.engine.sweep;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.train.DivergenceCheck;
import org.gaplab.engine.train.EvalSummary;
import org.gaplab.engine.train.Evaluation;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.train.StopSignal;
import org.gaplab.engine.train.Trainer;
import org.gaplab.engine.train.TrainingListeners;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.DualEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/** The Java API of sweeps: a list of configs in, a typed table out. */
public final class Sweeps {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(Sweeps.class);

    private Sweeps() {}

    /**
     * Trains every config (stacked in chunks of {@code chunk} runs, 0 = automatic) and evaluates it.
     *
     * @param configs the runs; structurally different ones are stacked separately
     * @param device where to train
     * @param chunk runs per stacked computation, 0 for {@link SweepPlan#autoChunk}
     * @return one row per config, index = position in the list
     */
    public static SweepTable run(List<RunConfig> configs, Device device, int chunk) {
        org.gaplab.engine.device.NativeThreadPolicy.apply();
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            points.add(new SweepPoint(i, Map.of(), configs.get(i).seed(), configs.get(i)));
        }
        int size = chunk > 0 ? chunk : SweepPlan.autoChunk(configs.get(0));
        List<SweepRow> rows = new ArrayList<>();
        long total = configs.stream().mapToLong(RunConfig::steps).sum();
        LOG.info("training {} runs on {} in stacks of up to {}", configs.size(), device, size);
        try (org.gaplab.engine.report.Progress progress = org.gaplab.engine.report.Progress.start("sweep", total)) {
            long[] done = {0};
            for (List<SweepPoint> c : SweepPlan.stack(points, first -> size, SweepPlan.Cut.FILL)) {
                rows.addAll(trainChunk(c, device, StopSignal.none(), n -> {
                    done[0] += n;
                    progress.update(done[0], null);
                }));
            }
        }
        return new SweepTable(rows);
    }

    /**
     * Extra per-run statistics for sweep rows, computed after training from the run's one-run
     * model (e.g. divergences between the embedded modalities).
     */
    @FunctionalInterface
    public interface RunMeasure {
        /**
         * @param model the trained one-run model
         * @param source the run's source
         * @param config the run's config
         * @param scope a manager for temporaries
         * @return named values added to the row's metrics
         */
        Map<String, Double> measure(DualEncoder model, org.gaplab.datasets.PairedSource source, RunConfig config, NDManager scope);
    }

    /** As {@link #trainChunk(List, Device, StopSignal, LongConsumer, RunMeasure)} with no extra statistics. */
    public static List<SweepRow> trainChunk(List<SweepPoint> points, Device device, StopSignal stop, LongConsumer progress) {
        return trainChunk(points, device, stop, progress, null);
    }

    /**
     * Trains one chunk of points as a single stacked computation and evaluates each run.
     *
     * @param points the chunk (structurally identical configs)
     * @param device where to train
     * @param stop checked after every step but the last; a stop abandons the chunk
     * @param progress receives run-steps done, at log intervals, and 0 after each run is evaluated
     * @param extra extra statistics per run, or null
     * @return one row per point, or null when stopped
     */
    public static List<SweepRow> trainChunk(List<SweepPoint> points, Device device, StopSignal stop, LongConsumer progress,
            RunMeasure extra) {
        return trainChunk(points, device, stop, progress, extra, null, null);
    }

    /**
     * What a sweep does with one trained run of a stack besides its rows' basic metrics (e.g. the
     * full gap report of {@code gaplab measure}, kept per run).
     */
    @FunctionalInterface
    public interface PointMeasure {
        /**
         * @param point the sweep point
         * @param model the stacked model
         * @param run the point's position in the stack
         * @param step steps trained
         * @param scope a manager for temporaries
         * @return named values added to the point's row
         */
        Map<String, Double> measure(SweepPoint point, DualEncoder model, int run, long step, NDManager scope);
    }

    /**
     * As {@link #trainChunk(List, Device, StopSignal, LongConsumer, RunMeasure)}, also writing the
     * chunk's stacked checkpoint (so {@code measure --run SWEEP --run-index I} and {@code embed}
     * find every point's trained model) and measuring each completed run.
     *
     * @param checkpoint where the chunk's stacked checkpoint goes, or null for none
     * @param pointMeasure per-point measurement, or null
     */
    public static List<SweepRow> trainChunk(List<SweepPoint> points, Device device, StopSignal stop, LongConsumer progress,
            RunMeasure extra, java.nio.file.Path checkpoint, PointMeasure pointMeasure) {
        List<RunConfig> configs = points.stream().map(SweepPoint::config).toList();
        RunConfig first = configs.get(0);
        int k = configs.size();
        try (Trainer t = new Trainer(configs, device)) {
            LOG.info("{} stacked runs from point {}: gradient: {}", k, points.get(0).index(), t.gradientPlan());
            // one run's collapse must not stop the others: the check records it per run
            DivergenceCheck.PerRun divergence = new DivergenceCheck.PerRun(k);
            // the interval `train` logs at, so final_loss is the same window (and number) as the run's
            TrainingLoop.Outcome outcome = TrainingLoop.run(t, first.steps(), org.gaplab.engine.train.TrainingRun.logInterval(first),
                    TrainingListeners.stacked(divergence, progress, checkpoint).optStop(stop).build());
            if (outcome.status() == RunStatus.INTERRUPTED) {
                return null;
            }
            double[] lastLoss = outcome.metrics().loss();
            List<SweepRow> rows = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                SweepPoint p = points.get(r);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put(Metric.FINAL_LOSS.key(), lastLoss[r]);
                if (!divergence.diverged(r)) {
                    try (NDManager scope = t.rootManager().newSubManager()) {
                        DualEncoder one = t.model().selectRun(r, scope);
                        EvalSummary e = Evaluation.evaluate(one, t.source(r), p.config(), scope);
                        metrics.put(Metric.MEAN_PAIR_COSINE.key(), e.meanPairCosine());
                        metrics.put(Metric.CENTROID_GAP.key(), e.centroidGap());
                        metrics.put(Metric.EVAL_LOSS.key(), e.evalLoss());
                        if (extra != null) {
                            metrics.putAll(extra.measure(one, t.source(r), p.config(), scope));
                        }
                        if (pointMeasure != null) {
                            metrics.putAll(pointMeasure.measure(p, t.model(), r, t.stepsDone(), scope));
                        }
                    }
                }
                rows.add(new SweepRow(p.index(), p.seed(), p.overrides(), divergence.diverged(r) ? RunStatus.DIVERGED : RunStatus.COMPLETED,
                        first.steps(), metrics));
                progress.accept(0); // a run evaluated: lets a long evaluation phase still report
            }
            return rows;
        }
    }

    /**
     * Measures each run's model as initialised, before any step: the untrained control that tells a
     * learnt effect from one the initialisation already has.
     *
     * @param points runs of one structure (one stacked computation)
     * @param device where to build them
     * @param measure what to measure on each one-run model
     * @return per run, in order, the measured values
     */
    public static List<Map<String, Double>> measureAtInit(List<SweepPoint> points, Device device, RunMeasure measure) {
        List<RunConfig> configs = points.stream().map(SweepPoint::config).toList();
        List<Map<String, Double>> out = new ArrayList<>();
        try (Trainer t = new Trainer(configs, device)) {
            for (int r = 0; r < configs.size(); r++) {
                try (NDManager scope = t.rootManager().newSubManager()) {
                    out.add(measure.measure(t.model().selectRun(r, scope), t.source(r), configs.get(r), scope));
                }
            }
        }
        return out;
    }
}
