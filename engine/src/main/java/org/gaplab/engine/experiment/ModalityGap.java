package org.gaplab.engine.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.measure.AngleHistogramDivergence;
import org.gaplab.engine.measure.EnergyDistance;
import org.gaplab.engine.measure.Pairwise;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.Json;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;
import org.gaplab.engine.train.StopSignal;
import org.gaplab.engine.train.TrainedModel;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Seeds;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multimodal modality-gap validation (THEORY.md sections 5 and 7). For each misalignment
 * sigma and seed, two bias-free 2x2 linear encoders are trained with symmetric InfoNCE on the
 * circle mixture (all runs stacked by the sweep machinery), then each run's fresh evaluation pairs
 * are embedded and compared: the Jeffreys divergence J between the two angle marginals (the
 * paper's 60-bin histogram), the centroid gap, the energy distance, and whether the two linear
 * maps ended with opposite orientation ({@code sign det W1 != sign det W2}). The untrained
 * control applies the identity encoder to the same evaluation pairs.
 *
 * <p>Per sigma it reports mean +- SEM, median and quartiles of J (J saturates near
 * {@code 2 ln(n / 1e-8)} when bins empty, so a few degenerate seeds dominate the mean), and flags
 * seeds beyond Tukey's far-out fence {@code Q3 + 3 IQR} as degenerate.
 */
public final class ModalityGap {
    private static final Logger LOG = LogManager.getLogger(ModalityGap.class);

    private ModalityGap() {}

    /** One trained run's measurements. */
    public record RunResult(double sigma, long seed, String status, double finalLoss, double jeffreys, double centroidGap,
            double energyDistance, double meanPairCosine, boolean oppositeOrientation) {}

    /** Summary of one sigma over seeds. */
    public record SigmaSummary(double sigma, int seeds, double meanJ, double semJ, double medianJ, double q25J, double q75J,
            List<Long> degenerateSeeds, int oppositeOrientation, double medianCentroidGap, double medianEnergy,
            double controlJ) {}

    /** Angles of the representative run, for its figures. */
    public record Representative(double sigma, long seed, double[] angle1, double[] angle2) {}

    /** Everything the experiment produced. */
    public record Result(ModalityGapConfig config, List<RunResult> runs, List<SigmaSummary> perSigma, Representative representative,
            double seconds, String device) {}

    /**
     * Runs the sweep and the measurements.
     *
     * @param config settings
     * @param device where to train
     * @return the result
     */
    public static Result run(ModalityGapConfig config, Device device) {
        long t0 = System.nanoTime();
        double figureSigma = closest(config.sigmas(), config.figureSigma());
        List<SweepPoint> points = new ArrayList<>();
        for (double sigma : config.sigmas()) {
            for (int s = 0; s < config.seeds(); s++) {
                RunConfig c = RunConfig.defaults().withName("modality-gap").withSeed(s).withSteps(config.steps())
                        .withBatchSize(config.batchSize()).withData(CircleMixtureConfig.paper(sigma))
                        .withEval(new EvalConfig(config.evalSize()))
                        .withSchedule(new ScheduleConfig(Math.max(1, config.steps() / 20), 0, 0));
                points.add(new SweepPoint(points.size(), Map.of("data.sigma", sigma), s, c));
            }
        }
        int chunk = config.chunk() > 0 ? config.chunk() : SweepPlan.autoChunk(points.get(0).config());
        Representative[] rep = new Representative[1];
        // 64 MiB chunks: on a 2-core CPU the 4 MiB default made the energy distance of 2 x 1000 pairs
        // several times slower than training the run
        Pairwise pairwise = new Pairwise(64L << 20);
        List<SweepRow> rows = new ArrayList<>();
        long total = (long) points.size() * config.steps();
        LOG.info("modality-gap: {} runs ({} sigmas x {} seeds) x {} steps, stacked {} at a time on {}", points.size(),
                config.sigmas().size(), config.seeds(), config.steps(), chunk, device);
        try (Progress progress = Progress.start("modality-gap", total)) {
            long[] done = {0};
            for (int i = 0; i < points.size(); i += chunk) {
                List<SweepPoint> part = points.subList(i, Math.min(points.size(), i + chunk));
                rows.addAll(Sweeps.trainChunk(part, device, StopSignal.none(), n -> progress.update(done[0] += n, null),
                        (model, source, rc, scope) -> measure(model, source, rc, scope, config, pairwise, figureSigma, rep)));
            }
        }
        List<RunResult> runs = new ArrayList<>();
        for (SweepRow r : new SweepTable(rows).rows()) {
            double sigma = ((Number) r.overrides().get("data.sigma")).doubleValue();
            runs.add(new RunResult(sigma, r.seed(), r.status(), r.metric("final_loss"), r.metric("jeffreys"),
                    r.metric("centroid_gap"), r.metric("energy_distance"), r.metric("mean_pair_cosine"),
                    r.metric("opposite_orientation") > 0.5));
        }
        List<SigmaSummary> perSigma = new ArrayList<>();
        for (double sigma : config.sigmas()) {
            perSigma.add(summarise(sigma, runs, control(sigma, config, device)));
        }
        return new Result(config, runs, perSigma, rep[0], (System.nanoTime() - t0) / 1e9, device.toString());
    }

    private static double closest(List<Double> values, double target) {
        return values.stream().min((a, b) -> Double.compare(Math.abs(a - target), Math.abs(b - target))).orElse(target);
    }

    /** Per-run statistics on the run's own evaluation pairs. */
    private static Map<String, Double> measure(DualEncoder model, PairedSource source, RunConfig rc, NDManager scope,
            ModalityGapConfig config, Pairwise pairwise, double figureSigma, Representative[] rep) {
        NDList eval = source.evaluationSet(scope, Seeds.derive(rc.seed(), "eval", 0), rc.eval().size(), rc.precision().dataType());
        NDArray z1 = TrainedModel.embedWith(model, eval.get(0), true);
        NDArray z2 = TrainedModel.embedWith(model, eval.get(1), false);
        Map<String, Double> m = new LinkedHashMap<>();
        AngleHistogramDivergence.Result j = AngleHistogramDivergence.compute(z1, z2, AngleHistogramDivergence.DEFAULT_BINS,
                AngleHistogramDivergence.DEFAULT_EPS);
        m.put("jeffreys", j.jeffreys());
        m.put("kl_12", j.klPq());
        m.put("kl_21", j.klQp());
        int sub = Math.min(config.energySubsample(), (int) z1.getShape().get(0));
        NDIndex head = new NDIndex("0:{}", sub);
        m.put("energy_distance", EnergyDistance.compute(z1.get(head), z2.get(head), pairwise).energy());
        double det1 = det(model.parameters().get("tower1.w0"));
        double det2 = det(model.parameters().get("tower2.w0"));
        m.put("det_w1", det1);
        m.put("det_w2", det2);
        m.put("opposite_orientation", Math.signum(det1) != Math.signum(det2) ? 1.0 : 0.0);
        double sigma = ((CircleMixtureConfig) rc.data()).sigma();
        if (sigma == figureSigma && rc.seed() == config.representativeSeed()) {
            rep[0] = new Representative(sigma, rc.seed(), AngleHistogramDivergence.angles(z1), AngleHistogramDivergence.angles(z2));
        }
        return m;
    }

    /** Determinant of a one-run 2x2 weight {@code [1, 2, 2]} (one host copy of four numbers). */
    private static double det(NDArray w) {
        double[] a = w.toType(DataType.FLOAT64, false).toDoubleArray();
        return a[0] * a[3] - a[1] * a[2];
    }

    /** Median J of the identity encoder (normalised raw features) over the seeds' evaluation sets. */
    private static double control(double sigma, ModalityGapConfig config, Device device) {
        PairedSource source = CircleMixtureConfig.paper(sigma).build();
        double[] js = new double[config.seeds()];
        try (NDManager m = NDManager.newBaseManager(device)) {
            for (int s = 0; s < config.seeds(); s++) {
                try (NDManager scope = m.newSubManager()) {
                    NDList eval = source.evaluationSet(scope, Seeds.derive(s, "eval", 0), config.evalSize(), DataType.FLOAT32);
                    js[s] = AngleHistogramDivergence.compute(eval.get(0), eval.get(1), AngleHistogramDivergence.DEFAULT_BINS,
                            AngleHistogramDivergence.DEFAULT_EPS).jeffreys();
                }
            }
        }
        return quantile(js, 0.5);
    }

    private static SigmaSummary summarise(double sigma, List<RunResult> runs, double controlJ) {
        List<RunResult> at = runs.stream().filter(r -> r.sigma() == sigma).toList();
        double[] j = at.stream().mapToDouble(RunResult::jeffreys).filter(Double::isFinite).toArray();
        double q25 = quantile(j, 0.25);
        double q75 = quantile(j, 0.75);
        double fence = q75 + 3 * (q75 - q25);
        List<Long> degenerate = at.stream().filter(r -> r.jeffreys() > fence || !Double.isFinite(r.jeffreys()))
                .map(RunResult::seed).toList();
        return new SigmaSummary(sigma, at.size(), Stats.mean(j), j.length > 1 ? Stats.sem(j) : 0, quantile(j, 0.5), q25, q75,
                degenerate, (int) at.stream().filter(RunResult::oppositeOrientation).count(),
                quantile(at.stream().mapToDouble(RunResult::centroidGap).toArray(), 0.5),
                quantile(at.stream().mapToDouble(RunResult::energyDistance).toArray(), 0.5), controlJ);
    }

    /** Linear-interpolation quantile (type 7, as numpy's default). */
    static double quantile(double[] values, double q) {
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

    /** Spearman rank correlation (no ties expected among sigmas; ties in y get average ranks). */
    static double spearman(double[] x, double[] y) {
        double[] rx = ranks(x);
        double[] ry = ranks(y);
        double mx = Stats.mean(rx);
        double my = Stats.mean(ry);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int less = 0;
            int equal = 0;
            for (double w : v) {
                less += w < v[i] ? 1 : 0;
                equal += w == v[i] ? 1 : 0;
            }
            r[i] = less + (equal + 1) / 2.0;
        }
        return r;
    }

    /**
     * Writes modality_gap.json, runs.csv, per_sigma.csv, the figures and summary.md.
     *
     * @param r the result
     * @param dir output directory
     * @return the JSON document (also printed with --json)
     */
    public static Map<String, Object> write(Result r, Path dir) {
        ModalityGapConfig c = r.config();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "modality-gap");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("seconds", r.seconds());
        doc.put("estimator", "J = KL(p||q) + KL(q||p) of 60-bin angle histograms (+1e-8), the paper's; D_sym = J/2");
        doc.put("per_sigma", r.perSigma());
        doc.put("runs", r.runs());
        Json.write(dir.resolve("modality_gap.json"), doc);
        List<Object[]> runRows = new ArrayList<>();
        r.runs().forEach(x -> runRows.add(new Object[] {x.sigma(), x.seed(), x.status(), x.finalLoss(), x.jeffreys(),
            x.centroidGap(), x.energyDistance(), x.meanPairCosine(), x.oppositeOrientation() ? 1 : 0}));
        Outputs.csv(dir.resolve("runs.csv"), List.of("sigma", "seed", "status", "final_loss", "jeffreys", "centroid_gap",
                "energy_distance", "mean_pair_cosine", "opposite_orientation"), runRows);
        List<Object[]> sigmaRows = new ArrayList<>();
        r.perSigma().forEach(s -> sigmaRows.add(new Object[] {s.sigma(), s.seeds(), s.meanJ(), s.semJ(), s.medianJ(), s.q25J(),
            s.q75J(), s.degenerateSeeds().size(), s.oppositeOrientation(), s.medianCentroidGap(), s.medianEnergy(), s.controlJ()}));
        Outputs.csv(dir.resolve("per_sigma.csv"), List.of("sigma", "seeds", "mean_J", "sem_J", "median_J", "q25_J", "q75_J",
                "degenerate_seeds", "opposite_orientation", "median_centroid_gap", "median_energy_distance", "control_J"), sigmaRows);
        gapFigure(r, dir);
        statisticFigure(r, dir);
        if (r.representative() != null) {
            representativeFigures(r.representative(), dir);
        }
        summary(r, dir);
        return doc;
    }

    private static void gapFigure(Result r, Path dir) {
        double[] sigma = r.perSigma().stream().mapToDouble(SigmaSummary::sigma).toArray();
        int seeds = r.perSigma().isEmpty() ? 0 : r.perSigma().get(0).seeds();
        XYChart chart = Figures.lineChart("Modality gap vs misalignment (" + seeds + " seeds)", "σ (latent misalignment)",
                "J(ρ1, ρ2) = KL12 + KL21");
        Figures.addBand(chart, "interquartile range", sigma, r.perSigma().stream().mapToDouble(SigmaSummary::q25J).toArray(),
                r.perSigma().stream().mapToDouble(SigmaSummary::q75J).toArray(), Figures.PALETTE[0]);
        XYSeries median = Figures.addLine(chart, "median", sigma, r.perSigma().stream().mapToDouble(SigmaSummary::medianJ).toArray(), null);
        median.setLineColor(Figures.PALETTE[0]);
        median.setMarkerColor(Figures.PALETTE[0]);
        median.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.SQUARE);
        XYSeries mean = Figures.addLine(chart, "mean ± SEM", sigma, r.perSigma().stream().mapToDouble(SigmaSummary::meanJ).toArray(),
                r.perSigma().stream().mapToDouble(SigmaSummary::semJ).toArray());
        // the mean is drawn dashed over the median so both stay visible where they coincide
        mean.setLineStyle(Figures.DASHED);
        mean.setLineColor(Figures.PALETTE[5]);
        mean.setMarkerColor(Figures.PALETTE[5]);
        XYSeries control = Figures.addLine(chart, "identity encoder (control)", sigma,
                r.perSigma().stream().mapToDouble(SigmaSummary::controlJ).toArray(), null);
        control.setLineColor(Color.GRAY);
        control.setMarkerColor(Color.GRAY);
        control.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
        Figures.save(chart, dir.resolve("gap_curve"));
    }

    private static void statisticFigure(Result r, Path dir) {
        double[] sigma = r.perSigma().stream().mapToDouble(SigmaSummary::sigma).toArray();
        // two statistics of different scale: one panel each
        XYChart centroid = Figures.lineChart("Centroid gap ‖E z1 − E z2‖", "σ", "median over seeds", Figures.WIDTH, 170);
        Figures.addLine(centroid, "centroid gap", sigma, r.perSigma().stream().mapToDouble(SigmaSummary::medianCentroidGap).toArray(), null);
        XYChart energy = Figures.lineChart("Energy distance", "σ", "median over seeds", Figures.WIDTH, 170);
        Figures.addLine(energy, "energy distance", sigma, r.perSigma().stream().mapToDouble(SigmaSummary::medianEnergy).toArray(), null);
        Figures.saveGrid(List.of(centroid, energy), 2, dir.resolve("centroid_energy"));
    }

    private static void representativeFigures(Representative rep, Path dir) {
        int bins = 72;
        double[] d1 = density(rep.angle1(), bins);
        double[] d2 = density(rep.angle2(), bins);
        double max = Math.max(Arrays.stream(d1).max().orElse(1), Arrays.stream(d2).max().orElse(1));
        String title = String.format(java.util.Locale.ROOT, "Angle densities, σ = %.2f, seed %d", rep.sigma(), rep.seed());
        XYChart polar = Figures.lineChart(title, "(1 + p(θ)/max p) cos θ", "(1 + p(θ)/max p) sin θ", Figures.WIDTH, Figures.WIDTH);
        addPolar(polar, "ρ1 (modality 1)", d1, max);
        addPolar(polar, "ρ2 (modality 2)", d2, max);
        double[] cx = new double[121];
        double[] cy = new double[121];
        for (int i = 0; i <= 120; i++) {
            cx[i] = Math.cos(2 * Math.PI * i / 120);
            cy[i] = Math.sin(2 * Math.PI * i / 120);
        }
        XYSeries circle = Figures.addLine(polar, "unit circle", cx, cy, null);
        circle.setShowInLegend(false);
        circle.setLineColor(Color.GRAY);
        circle.setLineStyle(Figures.DASHED);
        polar.getStyler().setXAxisMin(-2.1).setXAxisMax(2.1).setYAxisMin(-2.1).setYAxisMax(2.1);
        polar.getStyler().setChartTitleVisible(true);
        Figures.save(polar, dir.resolve("polar_densities"));

        int hb = 24;
        int[][] counts = new int[hb][hb];
        for (int i = 0; i < rep.angle1().length; i++) {
            counts[bin(rep.angle1()[i], hb)][bin(rep.angle2()[i], hb)]++;
        }
        int[] axis = new int[hb];
        for (int i = 0; i < hb; i++) {
            axis[i] = (int) Math.round(-180 + (i + 0.5) * 360.0 / hb);
        }
        HeatMapChart heat = new HeatMapChartBuilder().width(Figures.WIDTH).height(Figures.WIDTH)
                .title(String.format(java.util.Locale.ROOT, "Joint angles of pairs, σ = %.2f, seed %d", rep.sigma(), rep.seed()))
                .xAxisTitle("angle of z1 (degrees)").yAxisTitle("angle of z2 (degrees)").build();
        heat.addSeries("pairs", axis, axis, counts);
        heat.getStyler().setXAxisLabelRotation(90);
        heat.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(120, 170, 230),
            new java.awt.Color(10, 40, 120)});
        Figures.style(heat);
        heat.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        heat.getStyler().setXAxisLabelRotation(90);
        Figures.save(heat, dir.resolve("joint_angles"));

        double[] shift = new double[rep.angle1().length];
        for (int i = 0; i < shift.length; i++) {
            double d = rep.angle2()[i] - rep.angle1()[i];
            shift[i] = Math.atan2(Math.sin(d), Math.cos(d));
        }
        double[] ds = density(shift, bins);
        double[] centers = new double[bins];
        for (int i = 0; i < bins; i++) {
            centers[i] = -Math.PI + (i + 0.5) * 2 * Math.PI / bins;
        }
        XYChart shiftChart = Figures.lineChart(String.format(java.util.Locale.ROOT, "Angle shift between partners, σ = %.2f", rep.sigma()),
                "Δθ = wrap(θ(z2) - θ(z1)) (rad)", "density");
        Figures.addLine(shiftChart, "p(Δθ)", centers, ds, null);
        shiftChart.getStyler().setXAxisMin(-Math.PI).setXAxisMax(Math.PI);
        Figures.save(shiftChart, dir.resolve("angle_shift"));
    }

    private static void addPolar(XYChart chart, String name, double[] density, double max) {
        int bins = density.length;
        double[] x = new double[bins + 1];
        double[] y = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            double theta = -Math.PI + ((i % bins) + 0.5) * 2 * Math.PI / bins;
            double rr = 1 + density[i % bins] / max;
            x[i] = rr * Math.cos(theta);
            y[i] = rr * Math.sin(theta);
        }
        Figures.addLine(chart, name, x, y, null);
    }

    private static int bin(double angle, int bins) {
        return Math.min(bins - 1, Math.max(0, (int) ((angle + Math.PI) / (2 * Math.PI) * bins)));
    }

    private static double[] density(double[] angles, int bins) {
        double[] d = new double[bins];
        for (double a : angles) {
            d[bin(a, bins)]++;
        }
        double width = 2 * Math.PI / bins;
        for (int i = 0; i < bins; i++) {
            d[i] /= angles.length * width;
        }
        return d;
    }

    private static void summary(Result r, Path dir) {
        ModalityGapConfig c = r.config();
        double[] sigma = r.perSigma().stream().mapToDouble(SigmaSummary::sigma).toArray();
        double[] median = r.perSigma().stream().mapToDouble(SigmaSummary::medianJ).toArray();
        double[] control = r.perSigma().stream().mapToDouble(SigmaSummary::controlJ).toArray();
        double rho = spearman(sigma, median);
        double rhoControl = spearman(sigma, control);
        int degenerate = r.perSigma().stream().mapToInt(s -> s.degenerateSeeds().size()).sum();
        int opposite = r.perSigma().stream().mapToInt(SigmaSummary::oppositeOrientation).sum();
        List<Claim> claims = new ArrayList<>();
        boolean enough = sigma.length >= 3;
        claims.add(new Claim("The Jeffreys divergence between the two angle marginals grows with sigma.",
                "Spearman rank correlation between sigma and the per-sigma median J is >= 0.9 (needs >= 3 sigmas)",
                enough ? Claim.Verdict.of(rho >= 0.9) : Claim.Verdict.NOT_TESTED,
                "Spearman rho = " + Outputs.f(rho, 3) + "; median J by sigma: " + pairs(sigma, median)));
        claims.add(new Claim("Some seeds end in a degenerate basin with a huge J, so medians and quantiles are reported beside mean +- SEM.",
                "at least one seed beyond Tukey's far-out fence Q3 + 3 IQR at some sigma (needs >= 5 seeds; an observation, not required by the theory)",
                c.seeds() < 5 ? Claim.Verdict.NOT_TESTED : Claim.Verdict.of(degenerate > 0),
                degenerate + " degenerate seed(s) of " + r.runs().size() + "; " + opposite
                        + " run(s) ended with opposite orientations of W1 and W2 (sign det differs)"));
        claims.add(new Claim("Control: the identity encoder's J already grows with sigma (the partner's latent is smoothed by the noise).",
                "Spearman rank correlation between sigma and the control J is >= 0.9",
                enough ? Claim.Verdict.of(rhoControl >= 0.9) : Claim.Verdict.NOT_TESTED,
                "Spearman rho = " + Outputs.f(rhoControl, 3) + "; control J by sigma: " + pairs(sigma, control)));
        StringBuilder table = new StringBuilder("## Per sigma\n\n| σ | mean J ± SEM | median J | IQR | degenerate | opposite det | centroid gap | energy | control J |\n|---|---|---|---|---|---|---|---|---|\n");
        for (SigmaSummary s : r.perSigma()) {
            table.append(String.format(java.util.Locale.ROOT, "| %.2f | %.3f ± %.3f | %.3f | %.3f-%.3f | %d | %d | %.4f | %.4f | %.3f |%n",
                    s.sigma(), s.meanJ(), s.semJ(), s.medianJ(), s.q25J(), s.q75J(), s.degenerateSeeds().size(),
                    s.oppositeOrientation(), s.medianCentroidGap(), s.medianEnergy(), s.controlJ()));
        }
        table.append(String.format(java.util.Locale.ROOT, "%nRuntime: %.1f s on %s.%n", r.seconds(), r.device()));
        Outputs.summary(dir.resolve("summary.md"), "Modality gap vs misalignment",
                String.format(java.util.Locale.ROOT, "%d sigmas x %d seeds, %d steps of batch %d, symmetric InfoNCE tau 0.07, Adam lr 5e-3, "
                        + "bias-free 2x2 linear encoders onto S^1; evaluation on %d fresh pairs per run (its own eval seed); "
                        + "J from 60-bin angle histograms (+1e-8), energy distance (V-statistic, biased upward by about 1/m) on m = %d pairs per side.",
                        c.sigmas().size(), c.seeds(), c.steps(), c.batchSize(), c.evalSize(), c.energySubsample()),
                claims, table.toString());
    }

    private static String pairs(double[] x, double[] y) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(Outputs.f(x[i], 2)).append(": ").append(Outputs.f(y[i], 3));
        }
        return sb.toString();
    }
}
