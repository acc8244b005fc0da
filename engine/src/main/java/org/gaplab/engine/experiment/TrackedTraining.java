package org.gaplab.engine.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.AngleHistogramDivergence;
import org.gaplab.engine.measure.EnergyDistance;
import org.gaplab.engine.measure.Pairwise;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.train.DivergenceCheck;
import org.gaplab.engine.train.EvalSummary;
import org.gaplab.engine.train.Evaluation;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.engine.train.StopSignal;
import org.gaplab.engine.train.Trainer;
import org.gaplab.engine.train.TrainingListener;
import org.gaplab.engine.train.TrainingListeners;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.DualEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains one stacked chunk of runs (one {@link Trainer}, as the sweep runner does) while following
 * each run's gap along training and its loss curve: the gap at step 0 and at chosen steps, the
 * evaluation loss before and after training, and the convergence rule of docs/theory.md section 8.1
 * (final loss below ln B, and a loss that moved by at most 1% over the last tenth of training).
 * Used by the aligned-start and sharpening studies, which need what a sweep row does not keep.
 */
public final class TrackedTraining {
    /** Relative loss change over the last tenth of training above which a run counts as unconverged. */
    public static final double DRIFT_BOUND = 0.01;
    /** Points per side of the energy distance's two independent samples. */
    static final int ENERGY_SUBSAMPLE = 1000;

    private TrackedTraining() {}

    /**
     * One trained run.
     *
     * @param index point index
     * @param seed its seed
     * @param overrides the point's settings
     * @param status completed or diverged
     * @param metrics final and step-0 statistics (see {@link #train})
     * @param pathSteps steps of the path
     * @param pathJ J on disjoint halves along the path (2-d embeddings only; NaN otherwise)
     * @param pathGap centroid gap along the path
     */
    public record Row(int index, long seed, Map<String, Object> overrides, RunStatus status, Map<String, Double> metrics, int[] pathSteps,
            double[] pathJ, double[] pathGap) {
        public double metric(String key) {
            Double v = metrics.get(key);
            return v == null ? Double.NaN : v;
        }

        public boolean converged() {
            return metric("converged") > 0.5;
        }
    }

    /** The gap statistics of one model on a run's evaluation set. */
    private record Gap(double j, double centroidGap) {}

    /**
     * Trains the chunk and measures each run. The metrics of a row: {@code final_loss} (mean of the
     * last 5% of steps), {@code loss_at_90} (mean of the 5% of steps before 90%), {@code loss_drift}
     * (their relative difference), {@code converged} (1 or 0), {@code eval_loss_0}/{@code eval_loss}
     * (loss on one evaluation batch before and after training), {@code centroid_gap_0}/{@code centroid_gap},
     * {@code jeffreys_0}/{@code jeffreys} (60-bin angle histograms of modality 1 from the first half of
     * the evaluation pairs against modality 2 from the second; 2-d embeddings only), {@code energy_distance}
     * (disjoint halves, at most {@link #ENERGY_SUBSAMPLE} per side), {@code mean_pair_cosine} and, for
     * 2x2 linear towers, {@code opposite_orientation}.
     *
     * @param points structurally equal runs
     * @param device where to train
     * @param pathSteps steps (ascending, each a multiple of the chunk's log interval) at which the gap is measured
     * @return one row per point
     */
    public static List<Row> train(List<SweepPoint> points, Device device, int[] pathSteps) {
        List<RunConfig> configs = points.stream().map(SweepPoint::config).toList();
        RunConfig first = configs.get(0);
        int k = configs.size();
        long steps = first.steps();
        int logEvery = first.schedule().logEvery();
        Pairwise pairwise = new Pairwise(64L << 20);
        double[][] pathJ = new double[k][pathSteps.length];
        double[][] pathGap = new double[k][pathSteps.length];
        List<Map<String, Double>> metrics = new ArrayList<>();
        // loss windows: the last 5% of steps and the 5% before 90%
        long window = Math.max(logEvery, steps / 20);
        double[] endSum = new double[k];
        double[] ninetySum = new double[k];
        long[] endN = {0};
        long[] ninetyN = {0};
        try (Trainer t = new Trainer(configs, device)) {
            for (int r = 0; r < k; r++) {
                Map<String, Double> m = new LinkedHashMap<>();
                try (NDManager scope = t.rootManager().newSubManager()) {
                    DualEncoder one = t.model().selectRun(r, scope);
                    EvalSummary e = Evaluation.evaluate(one, t.source(r), configs.get(r), scope);
                    m.put("eval_loss_0", e.evalLoss());
                    m.put("centroid_gap_0", e.centroidGap());
                    m.put("jeffreys_0", gap(one, t.source(r), configs.get(r), scope).j());
                }
                metrics.add(m);
                if (pathSteps.length > 0 && pathSteps[0] == 0) {
                    pathJ[r][0] = m.get("jeffreys_0");
                    pathGap[r][0] = m.get("centroid_gap_0");
                }
            }
            DivergenceCheck.PerRun divergence = new DivergenceCheck.PerRun(k);
            TrainingListener track = TrainingListener.atIntervals((loop, im) -> {
                long step = im.step();
                for (int r = 0; r < k; r++) {
                    if (step > steps - window) {
                        endSum[r] += im.loss()[r] * im.steps();
                    } else if (step > steps * 9 / 10 - window && step <= steps * 9 / 10) {
                        ninetySum[r] += im.loss()[r] * im.steps();
                    }
                }
                if (step > steps - window) {
                    endN[0] += im.steps();
                } else if (step > steps * 9 / 10 - window && step <= steps * 9 / 10) {
                    ninetyN[0] += im.steps();
                }
                int at = Arrays.binarySearch(pathSteps, (int) step);
                if (at >= 0 && step > 0) {
                    for (int r = 0; r < k; r++) {
                        if (divergence.diverged(r)) {
                            pathJ[r][at] = Double.NaN;
                            pathGap[r][at] = Double.NaN;
                            continue;
                        }
                        try (NDManager scope = t.rootManager().newSubManager()) {
                            Gap g = gap(t.model().selectRun(r, scope), t.source(r), configs.get(r), scope);
                            pathJ[r][at] = g.j();
                            pathGap[r][at] = g.centroidGap();
                        }
                    }
                }
            });
            // progress of the stack's steps: a line at most every 2 s and at each tenth (report.Progress)
            try (Progress progress = Progress.start("tracked training of " + k + " run(s)", steps)) {
                TrainingListener progressLine = TrainingListener.atIntervals((loop, im) -> progress.update(im.step(), null));
                TrainingLoop.run(t, steps, logEvery, TrainingListeners.builder().setDivergence(divergence).optProgress(progressLine)
                        .optListener(track).optStop(StopSignal.none()).build());
            }
            double lnB = Math.log(first.batchSize());
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                SweepPoint p = points.get(r);
                Map<String, Double> m = metrics.get(r);
                double end = endN[0] > 0 ? endSum[r] / endN[0] : Double.NaN;
                double ninety = ninetyN[0] > 0 ? ninetySum[r] / ninetyN[0] : Double.NaN;
                double drift = Math.abs(end - ninety) / Math.abs(end);
                m.put("final_loss", end);
                m.put("loss_at_90", ninety);
                m.put("loss_drift", drift);
                // a drift that cannot be computed (too few steps for two windows) does not count as converged
                m.put("converged", end < lnB && drift <= DRIFT_BOUND ? 1.0 : 0.0);
                if (!divergence.diverged(r)) {
                    try (NDManager scope = t.rootManager().newSubManager()) {
                        DualEncoder one = t.model().selectRun(r, scope);
                        EvalSummary e = Evaluation.evaluate(one, t.source(r), p.config(), scope);
                        m.put("eval_loss", e.evalLoss());
                        m.put("centroid_gap", e.centroidGap());
                        m.put("mean_pair_cosine", e.meanPairCosine());
                        m.put("jeffreys", gap(one, t.source(r), p.config(), scope).j());
                        m.put("energy_distance", energy(one, t.source(r), p.config(), scope, pairwise));
                        if (isTwoByTwo(p.config())) {
                            double d1 = det(one.parameters().get("tower1.w0"));
                            double d2 = det(one.parameters().get("tower2.w0"));
                            m.put("opposite_orientation", Math.signum(d1) != Math.signum(d2) ? 1.0 : 0.0);
                        }
                    }
                } else {
                    m.put("converged", 0.0);
                }
                rows.add(new Row(p.index(), p.seed(), p.overrides(), divergence.diverged(r) ? RunStatus.DIVERGED : RunStatus.COMPLETED, m,
                        pathSteps.clone(), pathJ[r], pathGap[r]));
            }
            return rows;
        }
    }

    /** J on disjoint halves (2-d embeddings only, NaN otherwise) and the centroid gap on all pairs. */
    private static Gap gap(DualEncoder model, PairedSource source, RunConfig rc, NDManager scope) {
        NDList z = Evaluation.embeddings(model, source, rc, scope);
        NDArray z1 = z.get(0);
        NDArray z2 = z.get(1);
        double centroid = z1.mean(new int[] {0}).sub(z2.mean(new int[] {0})).norm().toType(DataType.FLOAT64, false).getDouble();
        double j = Double.NaN;
        if (z1.getShape().get(1) == 2) {
            long half = z1.getShape().get(0) / 2;
            j = AngleHistogramDivergence.compute(z1.get(new NDIndex("0:{}", half)), z2.get(new NDIndex("{}:{}", half, 2 * half)),
                    AngleHistogramDivergence.DEFAULT_BINS, AngleHistogramDivergence.DEFAULT_EPS).jeffreys();
        }
        return new Gap(j, centroid);
    }

    /** Energy distance of modality 1 from the first half of the evaluation pairs against modality 2 from the second. */
    private static double energy(DualEncoder model, PairedSource source, RunConfig rc, NDManager scope, Pairwise pairwise) {
        NDList z = Evaluation.embeddings(model, source, rc, scope);
        int sub = (int) Math.min(ENERGY_SUBSAMPLE, z.get(0).getShape().get(0) / 2);
        return EnergyDistance.compute(z.get(0).get(new NDIndex("0:{}", sub)), z.get(1).get(new NDIndex("{}:{}", sub, 2 * sub)), pairwise)
                .energy();
    }

    /** @return whether both towers are the paper's bias-free 2x2 linear maps (whose orientation can flip) */
    static boolean isTwoByTwo(RunConfig c) {
        org.gaplab.models.TowerConfig t = c.model().tower1();
        return t.kind() == org.gaplab.models.TowerKind.LINEAR && t.inputDim() == 2 && t.outputDim() == 2;
    }

    private static double det(NDArray w) {
        double[] a = w.toType(DataType.FLOAT64, false).toDoubleArray();
        return a[0] * a[3] - a[1] * a[2];
    }
}
