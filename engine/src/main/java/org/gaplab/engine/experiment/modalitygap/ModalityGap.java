package org.gaplab.engine.experiment.modalitygap;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.engine.measure.Moments;
import org.gaplab.core.Json;
import org.gaplab.core.Seeds;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.measure.AngleHistogramDivergence;
import org.gaplab.engine.measure.EnergyDistance;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.measure.Pairwise;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepSpec;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.train.Evaluation;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.models.DualEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multimodal modality-gap validation (docs/theory.md sections 5 and 7). For each misalignment
 * sigma and seed, two bias-free 2x2 linear encoders are trained with symmetric InfoNCE on the
 * circle mixture (all runs stacked by the sweep machinery), then each run's fresh evaluation pairs
 * are embedded and compared: the Jeffreys divergence J between the two angle marginals (the
 * paper's 60-bin histogram), the centroid gap, the energy distance, and whether the two linear
 * maps ended with opposite orientation ({@code sign det W1 != sign det W2}). The untrained
 * control applies the identity encoder to the same evaluation pairs.
 *
 * <p>Per sigma it reports mean +- SEM, median and quartiles of J (J saturates near
 * {@code 2 ln(n / 1e-8)} when bins empty, so a few degenerate seeds dominate the mean), and counts
 * the runs that ended in a degenerate basin ({@link #degenerate}) per sigma.
 */
public final class ModalityGap {
    private ModalityGap() {}

    /** One trained run's measurements. */
    public record RunMeasurement(double sigma, long seed, RunStatus status, double finalLoss, double jeffreys, double centroidGap,
            double energyDistance, double meanPairCosine, boolean oppositeOrientation) {}

    /** Summary of one sigma over seeds. */
    public record SigmaSummary(double sigma, int seeds, double meanJ, double semJ, double medianJ, double q25J, double q75J,
            List<Long> degenerateSeeds, int oppositeOrientation, double medianCentroidGap, double medianEnergy,
            double controlJ, double[] controlBySeed, List<Long> unconvergedSeeds, double medianJKept, double q25JKept, double q75JKept) {
        /** The summary without convergence flags (every run kept). */
        public SigmaSummary(double sigma, int seeds, double meanJ, double semJ, double medianJ, double q25J, double q75J,
                List<Long> degenerateSeeds, int oppositeOrientation, double medianCentroidGap, double medianEnergy, double controlJ,
                double[] controlBySeed) {
            this(sigma, seeds, meanJ, semJ, medianJ, q25J, q75J, degenerateSeeds, oppositeOrientation, medianCentroidGap, medianEnergy,
                    controlJ, controlBySeed, List.of(), medianJ, q25J, q75J);
        }
    }

    /** Angles of the representative run, for its figures. */
    public record Representative(double sigma, long seed, double[] angle1, double[] angle2) {}

    /** Everything the experiment produced. */
    public record ModalityGapResult(ModalityGapConfig config, List<RunMeasurement> runs, List<SigmaSummary> perSigma, Representative representative,
            double seconds, String device) {}

    /**
     * The sigma sweep: every (sigma, seed) run of the experiment as a sweep spec, which
     * {@code gaplab reproduce modality-gap} trains through the sweep runner (so it shards, resumes
     * and merges as {@code gaplab sweep} does).
     *
     * @param config the settings
     * @return the spec (runs named modality-gap, seeds 0..seeds-1, grid data.sigma)
     */
    public static SweepSpec sweepSpec(ModalityGapConfig config) {
        RunConfig base = RunConfig.defaults().withName("modality-gap").withSteps(config.steps())
                .withBatchSize(config.batchSize()).withData(CircleMixtureConfig.paper(config.sigmas().get(0)))
                .withEval(new EvalConfig(config.evalSize()))
                .withSchedule(new ScheduleConfig(Math.max(1, config.steps() / 20), 0, 0));
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        grid.put("data.sigma", new ArrayList<>(config.sigmas()));
        com.fasterxml.jackson.databind.node.ObjectNode source = Json.MAPPER.createObjectNode();
        source.put("experiment", "modality-gap");
        source.set("config", Json.MAPPER.valueToTree(config));
        return new SweepSpec("modality-gap", base, grid, List.of(), 0, config.seeds(), config.chunk(), source);
    }

    /** 64 MiB chunks: on a 2-core CPU the 4 MiB default made the energy distance of 2 x 1000 pairs
     * several times slower than training the run. */
    static Pairwise measurePairwise() {
        return new Pairwise(64L << 20);
    }

    /** Assembles the result from the sweep's rows, the per-sigma controls and the representative run. */
    static ModalityGapResult result(ModalityGapConfig config, SweepTable rows, double[][] controls, Representative rep, double seconds,
            String device) {
        List<RunMeasurement> runs = new ArrayList<>();
        for (SweepRow r : rows.rows()) {
            double sigma = ((Number) r.overrides().get("data.sigma")).doubleValue();
            runs.add(new RunMeasurement(sigma, r.seed(), r.status(), r.metric(Metric.FINAL_LOSS), r.metric(Metric.JEFFREYS),
                    r.metric(Metric.CENTROID_GAP), r.metric(Metric.ENERGY_DISTANCE), r.metric(Metric.MEAN_PAIR_COSINE),
                    r.metric(Metric.OPPOSITE_ORIENTATION) > 0.5));
        }
        List<SigmaSummary> perSigma = new ArrayList<>();
        for (int i = 0; i < config.sigmas().size(); i++) {
            perSigma.add(summarise(config.sigmas().get(i), runs, controls[i], config.batchSize()));
        }
        return new ModalityGapResult(config, runs, perSigma, rep, seconds, device);
    }

    static double closest(List<Double> values, double target) {
        return values.stream().min((a, b) -> Double.compare(Math.abs(a - target), Math.abs(b - target))).orElse(target);
    }

    /** Per-run statistics on the run's own evaluation pairs. */
    static Map<String, Double> measure(DualEncoder model, PairedSource source, RunConfig rc, NDManager scope,
            ModalityGapConfig config, Pairwise pairwise, double figureSigma, Representative[] rep) {
        NDList z = Evaluation.embeddings(model, source, rc, scope);
        NDArray z1 = z.get(0);
        NDArray z2 = z.get(1);
        Map<String, Double> m = new LinkedHashMap<>();
        AngleHistogramDivergence.Result j = disjointJ(z1, z2);
        m.put(Metric.JEFFREYS.key(), j.jeffreys());
        m.put(Metric.KL_12.key(), j.klPq());
        m.put(Metric.KL_21.key(), j.klQp());
        // two independent samples (docs/theory.md section 6): modality 1 from the first half of the
        // evaluation pairs, modality 2 from the second, so no row meets its own partner
        int sub = Math.min(config.energySubsample(), (int) z1.getShape().get(0) / 2);
        m.put(Metric.ENERGY_DISTANCE.key(), EnergyDistance.compute(z1.get(new NDIndex("0:{}", sub)), z2.get(new NDIndex("{}:{}", sub, 2 * sub)),
                pairwise).energy());
        double det1 = det(model.parameters().get("tower1.w0"));
        double det2 = det(model.parameters().get("tower2.w0"));
        m.put(Metric.DET_W1.key(), det1);
        m.put(Metric.DET_W2.key(), det2);
        m.put(Metric.OPPOSITE_ORIENTATION.key(), Math.signum(det1) != Math.signum(det2) ? 1.0 : 0.0);
        double sigma = ((CircleMixtureConfig) rc.data()).sigma();
        if (sigma == figureSigma && rc.seed() == config.representativeSeed()) {
            rep[0] = new Representative(sigma, rc.seed(), AngleHistogramDivergence.angles(z1), AngleHistogramDivergence.angles(z2));
        }
        return m;
    }

    /**
     * J of modality 1 on the first half of the pairs against modality 2 on the second (docs/theory.md
     * sections 6 and 8.1): two independent samples. On paired rows the two histograms share the
     * partners' noise, so J grows with sigma even when the marginals are identical.
     */
    static AngleHistogramDivergence.Result disjointJ(NDArray z1, NDArray z2) {
        long half = z1.getShape().get(0) / 2;
        return AngleHistogramDivergence.compute(z1.get(new NDIndex("0:{}", half)), z2.get(new NDIndex("{}:{}", half, 2 * half)),
                AngleHistogramDivergence.DEFAULT_BINS, AngleHistogramDivergence.DEFAULT_EPS);
    }

    /** Determinant of a one-run 2x2 weight {@code [1, 2, 2]} (one host copy of four numbers). */
    private static double det(NDArray w) {
        double[] a = w.toType(DataType.FLOAT64, false).toDoubleArray();
        return a[0] * a[3] - a[1] * a[2];
    }

    /** J of the identity encoder (normalised raw features) on each seed's evaluation set (the trained run's own pairs). */
    static double[] controls(double sigma, ModalityGapConfig config, Device device) {
        PairedSource source = CircleMixtureConfig.paper(sigma).build();
        double[] js = new double[config.seeds()];
        try (NDManager m = NDManager.newBaseManager(device)) {
            for (int s = 0; s < config.seeds(); s++) {
                try (NDManager scope = m.newSubManager()) {
                    NDList eval = source.evaluationSet(scope, Seeds.derive(s, "eval", 0), config.evalSize(), DataType.FLOAT32);
                    js[s] = disjointJ(eval.get(0), eval.get(1)).jeffreys();
                }
            }
        }
        return js;
    }

    /**
     * Whether a run ended in a degenerate basin: a structural test, not an outlier fence. The two
     * linear maps ended with opposite orientations ({@code sign det W1 != sign det W2}: one modality's
     * circle is the mirror image of the other's, which no later step can undo continuously), or the
     * partners are not aligned at all (mean pair cosine below 0), or the divergence is not finite.
     */
    public static boolean degenerate(RunMeasurement r) {
        return r.oppositeOrientation() || r.meanPairCosine() < 0 || !Double.isFinite(r.jeffreys());
    }

    /**
     * Whether a run did not converge (docs/theory.md section 8.1): its final loss (the mean of the last
     * logged interval) is not below ln B, no better than uniform logits. (A sweep row keeps no loss
     * curve, so the drift rule of the other studies does not apply here.)
     */
    static boolean unconverged(RunMeasurement r, int batchSize) {
        return !(r.finalLoss() < Math.log(batchSize));
    }

    /** @return whether a run is flagged: a degenerate basin or unconverged */
    static boolean flagged(RunMeasurement r, int batchSize) {
        return degenerate(r) || unconverged(r, batchSize);
    }

    private static SigmaSummary summarise(double sigma, List<RunMeasurement> runs, double[] control, int batchSize) {
        List<RunMeasurement> at = runs.stream().filter(r -> r.sigma() == sigma).toList();
        // the typical runs of the figure: not in a degenerate basin (a run above ln B stays in: see unconverged)
        double[] kept = at.stream().filter(r -> !degenerate(r)).mapToDouble(RunMeasurement::jeffreys).filter(Double::isFinite).toArray();
        double[] j = at.stream().mapToDouble(RunMeasurement::jeffreys).filter(Double::isFinite).toArray();
        double q25 = quantile(j, 0.25);
        double q75 = quantile(j, 0.75);
        List<Long> degenerate = at.stream().filter(ModalityGap::degenerate).map(RunMeasurement::seed).toList();
        return new SigmaSummary(sigma, at.size(), Moments.mean(j), Moments.standardError(j), quantile(j, 0.5), q25, q75,
                degenerate, (int) at.stream().filter(RunMeasurement::oppositeOrientation).count(),
                quantile(at.stream().mapToDouble(RunMeasurement::centroidGap).toArray(), 0.5),
                 quantile(at.stream().mapToDouble(RunMeasurement::energyDistance).toArray(), 0.5), quantile(control, 0.5), control,
                at.stream().filter(r -> unconverged(r, batchSize)).map(RunMeasurement::seed).toList(), quantile(kept, 0.5), quantile(kept, 0.25),
                 quantile(kept, 0.75));
    }

    /** Linear-interpolation quantile (type 7, as numpy's default). */
    public static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

}
