package org.gaplab.engine.experiment.alignedstart;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.modalitygap.ModalityGap;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.train.RunStatus;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aligned start against independent starts (docs/theory.md section 8.1, "aligned-start"). The
 * competing account of the modality gap (Liang et al. 2022, "Mind the Gap") attributes it to the cone
 * effect of random initialisation, preserved by training; the paper calls the gap a structural
 * necessity rather than an initialisation artifact. Training both towers from the same initial
 * parameters ({@code model.aligned_start}) removes the initial difference between the encoders: a gap
 * that still appears, of the size independent starts reach, is not the initialisation's.
 *
 * <p>Two settings: the modality-gap circle (2x2 linear towers onto S^1, over sigma) and the bundled
 * digits (MLP towers 32-128-32 onto S^31, where a cone effect exists). Each (setting, start, seed) is
 * trained in stacked chunks by {@link TrackedTraining}, which also measures the gap along training.
 */
public final class AlignedStart {
    /** The two starts, as rows name them. */
    public static final String INDEPENDENT = "independent";
    public static final String ALIGNED = "aligned";

    private AlignedStart() {}

    /**
     * Per (dataset, setting, start): summaries over seeds.
     *
     * @param dataset circle or digits
     * @param sigma the circle's sigma (NaN for digits)
     * @param start independent or aligned
     * @param runs completed runs
     * @param medianJ median J (disjoint halves; NaN for digits)
     * @param q25J lower quartile
     * @param q75J upper quartile
     * @param medianGap median centroid gap
     * @param medianGap0 median centroid gap at step 0
     * @param medianEnergy median energy distance
     * @param medianEvalLoss0 median evaluation loss at step 0
     * @param medianEvalLoss median evaluation loss after training
     * @param degenerate runs in a degenerate basin
     * @param unconverged runs flagged unconverged
     */
    public record Cell(String dataset, double sigma, String start, int runs, double medianJ, double q25J, double q75J, double medianGap,
            double medianGap0, double medianEnergy, double medianEvalLoss0, double medianEvalLoss, int degenerate, int unconverged) {}

    /**
     * Everything the study produced.
     *
     * @param config the settings
     * @param rows every run, circle then digits
     * @param cells the summary
     * @param seconds compute time
     * @param device where it ran
     */
    public record AlignedStartResult(AlignedStartConfig config, List<TrackedTraining.Row> rows, List<Cell> cells, double seconds, String device) {}

    /** Every run of one dataset as points, in the order (setting, start, seed). */
    static List<SweepPoint> points(AlignedStartConfig c, String dataset) {
        List<SweepPoint> points = new ArrayList<>();
        if (dataset.equals("circle")) {
            for (double sigma : c.sigmas()) {
                for (String start : List.of(INDEPENDENT, ALIGNED)) {
                    for (int s = 0; s < c.seeds(); s++) {
                        points.add(new SweepPoint(points.size(), Outputs.inOrder("dataset", dataset, "sigma", sigma, "start", start), s,
                                c.circleRun(sigma, s, start.equals(ALIGNED))));
                    }
                }
            }
        } else {
            for (String start : List.of(INDEPENDENT, ALIGNED)) {
                for (int s = 0; s < c.digitsSeeds(); s++) {
                    points.add(new SweepPoint(points.size(), Outputs.inOrder("dataset", dataset, "start", start), s,
                            c.digitsRun(s, start.equals(ALIGNED))));
                }
            }
        }
        return points;
    }

    static List<String> datasets(AlignedStartConfig c) {
        return c.digits() ? List.of("circle", "digits") : List.of("circle");
    }

    static List<List<SweepPoint>> chunks(AlignedStartConfig c, String dataset) {
        return SweepPlan.stack(points(c, dataset), SweepPlan::autoChunk, SweepPlan.Cut.FILL);
    }

    public static int[] path(AlignedStartConfig c, String dataset) {
        return dataset.equals("circle") ? AlignedStartConfig.pathFor(c.path(), c.steps())
                : AlignedStartConfig.pathFor(c.digitsPath(), c.digitsSteps());
    }

    /** Degenerate basin: mirrored 2x2 maps, unaligned partners, or a non-finite statistic (docs/theory.md section 7). */
    public static boolean degenerate(TrackedTraining.Row r) {
        return r.status() != RunStatus.COMPLETED || r.metric("opposite_orientation") > 0.5 || r.metric("mean_pair_cosine") < 0
                || !Double.isFinite(r.metric("centroid_gap"));
    }

    static List<TrackedTraining.Row> select(List<TrackedTraining.Row> rows, String dataset, double sigma, String start) {
        return rows.stream().filter(r -> dataset.equals(r.overrides().get("dataset")) && start.equals(r.overrides().get("start"))
                && (!dataset.equals("circle") || ((Number) r.overrides().get("sigma")).doubleValue() == sigma)).toList();
    }

    /** @return the metric of every seed 0..n-1 (NaN where absent) */
    static double[] bySeed(List<TrackedTraining.Row> rows, String metric, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (TrackedTraining.Row r : rows) {
            if (r.seed() < n && r.status() == RunStatus.COMPLETED) {
                out[(int) r.seed()] = r.metric(metric);
            }
        }
        return out;
    }

    public static List<Cell> cells(AlignedStartConfig c, List<TrackedTraining.Row> rows) {
        List<Cell> out = new ArrayList<>();
        for (String dataset : datasets(c)) {
            List<Double> settings = dataset.equals("circle") ? c.sigmas() : List.of(Double.NaN);
            for (double sigma : settings) {
                for (String start : List.of(INDEPENDENT, ALIGNED)) {
                    List<TrackedTraining.Row> at = select(rows, dataset, sigma, start);
                    double[] j = at.stream().mapToDouble(r -> r.metric("jeffreys")).filter(Double::isFinite).toArray();
                    out.add(new Cell(dataset, sigma, start, (int) at.stream().filter(r -> r.status() == RunStatus.COMPLETED).count(),
                            ModalityGap.quantile(j, 0.5), ModalityGap.quantile(j, 0.25), ModalityGap.quantile(j, 0.75),
                            median(at, "centroid_gap"), median(at, "centroid_gap_0"), median(at, "energy_distance"), median(at, "eval_loss_0"),
                            median(at, "eval_loss"), (int) at.stream().filter(AlignedStart::degenerate).count(),
                            (int) at.stream().filter(r -> !r.converged()).count()));
                }
            }
        }
        return out;
    }

    private static double median(List<TrackedTraining.Row> rows, String metric) {
        return ModalityGap.quantile(rows.stream().mapToDouble(r -> r.metric(metric)).filter(Double::isFinite).toArray(), 0.5);
    }

    /** @return the claims (a) and (b) of docs/theory.md section 8.1 */
    public static List<Claim> claims(AlignedStartResult r) {
        AlignedStartConfig c = r.config();
        String source = "paper, abstract (\"a structural geometric necessity rather than an initialization artifact\") and section 5; "
                + "against Liang et al. 2022 (arXiv 2203.02053), who attribute the gap to the cone effect of initialisation";
        List<Claim> out = new ArrayList<>();
        int n = c.seeds();
        // (a) training check, then J above the sigma = 0 level from an aligned start
        List<Double> positive = c.sigmas().stream().filter(s -> s > 0).toList();
        StringBuilder trained = new StringBuilder();
        boolean allTrained = true;
        for (double sigma : c.sigmas()) {
            List<TrackedTraining.Row> al = select(r.rows(), "circle", sigma, ALIGNED);
            HypothesisTests.Tested t = HypothesisTests.signedRank(bySeed(al, "eval_loss", n), bySeed(al, "eval_loss_0", n), HypothesisTests.Direction.DECREASING);
            allTrained &= t.pExpected() < HypothesisTests.ALPHA;
            trained.append(trained.length() == 0 ? "" : ", ").append("sigma ").append(Outputs.f(sigma, 2)).append(" p = ")
                    .append(HypothesisTests.p(t.pExpected()));
        }
        List<TrackedTraining.Row> zero = select(r.rows(), "circle", 0.0, ALIGNED);
        double[] pJ = new double[positive.size()];
        double[] pJOpp = new double[positive.size()];
        StringBuilder ev = new StringBuilder();
        for (int i = 0; i < positive.size(); i++) {
            List<TrackedTraining.Row> al = select(r.rows(), "circle", positive.get(i), ALIGNED);
            HypothesisTests.Tested tj = HypothesisTests.signedRank(bySeed(al, "jeffreys", n), bySeed(zero, "jeffreys", n), HypothesisTests.Direction.INCREASING);
            HypothesisTests.Tested tg = HypothesisTests.signedRank(bySeed(al, "centroid_gap", n), bySeed(zero, "centroid_gap", n),
                    HypothesisTests.Direction.INCREASING);
            HypothesisTests.Tested te = HypothesisTests.signedRank(bySeed(al, "energy_distance", n), bySeed(zero, "energy_distance", n),
                    HypothesisTests.Direction.INCREASING);
            pJ[i] = tj.pExpected();
            pJOpp[i] = tj.pOpposite();
            ev.append(i == 0 ? "" : "; ").append("sigma ").append(Outputs.f(positive.get(i), 2)).append(": median J ")
                    .append(Outputs.f(median(al, "jeffreys"), 4)).append(" vs ").append(Outputs.f(median(zero, "jeffreys"), 4))
                    .append(" at sigma 0 (p = ").append(HypothesisTests.p(tj.pExpected())).append("), centroid gap p = ")
                    .append(HypothesisTests.p(tg.pExpected())).append(", energy p = ").append(HypothesisTests.p(te.pExpected()));
        }
        boolean above = pJ.length > 0 && Arrays.stream(pJ).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean below = Arrays.stream(HypothesisTests.holm(pJOpp)).anyMatch(p -> p < HypothesisTests.ALPHA);
        Claim.Verdict a = !allTrained ? Claim.Verdict.INCONCLUSIVE
                : above ? Claim.Verdict.SUPPORTED : below ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE;
        out.add(new Claim("(a) Training from an aligned start does not close the gap: at every sigma > 0 the trained J stays above "
                + "its sigma = 0 level (circle).", source,
                "first, the aligned runs trained: at every sigma their evaluation loss after training lies below their loss at step 0 "
                        + "(Wilcoxon signed-rank over seeds, one-sided; otherwise INCONCLUSIVE); then at every sigma > 0 the aligned runs' "
                        + "J (60-bin histograms on disjoint halves) above the same seed's aligned sigma = 0 J (signed-rank, one-sided, every "
                        + "sigma must reject at " + HypothesisTests.ALPHA + "); NOT SUPPORTED when some sigma is significantly below (Holm); centroid "
                        + "gap and energy reported, not deciding",
                a, "training check: " + (allTrained ? "passed" : "FAILED") + " (" + trained + "); " + ev
                        + "; all runs used, flagged ones counted in the table"));
        // (b) equivalence of the starts
        List<String> names = new ArrayList<>();
        List<double[]> diffs = new ArrayList<>();
        List<Double> margins = new ArrayList<>();
        for (double sigma : positive) {
            double[] al = bySeed(select(r.rows(), "circle", sigma, ALIGNED), "jeffreys", n);
            double[] in = bySeed(select(r.rows(), "circle", sigma, INDEPENDENT), "jeffreys", n);
            names.add("circle sigma " + Outputs.f(sigma, 2) + ", J");
            diffs.add(difference(al, in));
            margins.add(c.marginFraction() * Math.abs(ModalityGap.quantile(Arrays.stream(in).filter(Double::isFinite).toArray(), 0.5)));
        }
        if (c.digits()) {
            int m = c.digitsSeeds();
            double[] al = bySeed(select(r.rows(), "digits", Double.NaN, ALIGNED), "centroid_gap", m);
            double[] in = bySeed(select(r.rows(), "digits", Double.NaN, INDEPENDENT), "centroid_gap", m);
            names.add("digits, held-out centroid gap");
            diffs.add(difference(al, in));
            margins.add(c.marginFraction() * Math.abs(ModalityGap.quantile(Arrays.stream(in).filter(Double::isFinite).toArray(), 0.5)));
        }
        double[] pEq = new double[names.size()];
        double[] pBeyond = new double[names.size()];
        StringBuilder evb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            RobustHypothesisTests.Equivalence e = RobustHypothesisTests.signEquivalence(diffs.get(i), margins.get(i));
            pEq[i] = e.pEquivalent();
            pBeyond[i] = e.pBeyond();
            evb.append(i == 0 ? "" : "; ").append(names.get(i)).append(": aligned - independent ")
                    .append(RobustHypothesisTests.medianCi(diffs.get(i)).text(4)).append(", margin +-").append(Outputs.f(margins.get(i), 4))
                    .append(", equivalence p = ").append(HypothesisTests.p(pEq[i]));
        }
        boolean equivalent = pEq.length > 0 && Arrays.stream(pEq).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean differs = Arrays.stream(HypothesisTests.holm(pBeyond)).anyMatch(p -> p < HypothesisTests.ALPHA);
        out.add(new Claim("(b) The final gap does not depend on the start: aligned and independent starts end with the same gap.", source,
                "per setting, the per-seed difference aligned minus independent (same seeds and batches); margin = " + c.marginFraction()
                        + " x the median independent-start value; two one-sided sign tests at " + HypothesisTests.ALPHA
                        + ": SUPPORTED when every setting's median difference lies within the margin; NOT SUPPORTED when some setting's "
                        + "lies beyond it significantly (Holm); INCONCLUSIVE otherwise",
                equivalent ? Claim.Verdict.SUPPORTED : differs ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE, evb.toString()));
        return out;
    }

    private static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /** Writes aligned_start.json, runs.csv, cells.csv, path figures and summary.md. */
    public static Map<String, Object> write(AlignedStartResult r, Path dir) {
        AlignedStartConfig c = r.config();
        List<Claim> claims = claims(r);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "aligned-start");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("seconds", r.seconds());
        doc.put("cells", r.cells());
        doc.put("claims", claims);
        doc.put("runs", r.rows());
        Json.write(dir.resolve("aligned_start.json"), doc);
        List<String> metrics = List.of("final_loss", "loss_drift", "converged", "eval_loss_0", "eval_loss", "jeffreys_0", "jeffreys",
                "centroid_gap_0", "centroid_gap", "energy_distance", "mean_pair_cosine", "opposite_orientation");
        List<String> header = new ArrayList<>(List.of("dataset", "sigma", "start", "seed", "status", "degenerate"));
        header.addAll(metrics);
        List<Object[]> rows = new ArrayList<>();
        for (TrackedTraining.Row x : r.rows()) {
            List<Object> row = new ArrayList<>(List.of(x.overrides().get("dataset"), x.overrides().getOrDefault("sigma", Double.NaN),
                    x.overrides().get("start"), x.seed(), x.status().key(), degenerate(x) ? 1 : 0));
            metrics.forEach(m -> row.add(x.metric(m)));
            rows.add(row.toArray());
        }
        Outputs.csv(dir.resolve("runs.csv"), header, rows);
        List<Object[]> cells = new ArrayList<>();
        for (Cell x : r.cells()) {
            cells.add(new Object[] {x.dataset(), x.sigma(), x.start(), x.runs(), x.medianJ(), x.q25J(), x.q75J(), x.medianGap0(), x.medianGap(),
                x.medianEnergy(), x.medianEvalLoss0(), x.medianEvalLoss(), x.degenerate(), x.unconverged()});
        }
        Outputs.csv(dir.resolve("cells.csv"), List.of("dataset", "sigma", "start", "runs", "median_J", "q25_J", "q75_J", "median_centroid_gap_0",
                "median_centroid_gap", "median_energy_distance", "median_eval_loss_0", "median_eval_loss", "degenerate", "unconverged"), cells);
        pathFigures(r, dir);
        StringBuilder table = new StringBuilder("## Per setting and start (medians over seeds)\n\n| data | σ | start | runs | J (IQR) | centroid gap step 0 → end | energy | eval loss step 0 → end | degenerate | unconverged |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Cell x : r.cells()) {
            table.append(String.format(java.util.Locale.ROOT, "| %s | %s | %s | %d | %.4f (%.4f-%.4f) | %.4f → %.4f | %.4f | %.3f → %.3f | %d | %d |%n",
                    x.dataset(), Double.isNaN(x.sigma()) ? "-" : Outputs.f(x.sigma(), 2), x.start(), x.runs(), x.medianJ(), x.q25J(), x.q75J(),
                    x.medianGap0(), x.medianGap(), x.medianEnergy(), x.medianEvalLoss0(), x.medianEvalLoss(), x.degenerate(), x.unconverged()));
        }
        table.append("\nDegenerate: mirrored 2x2 maps (sign det W1 ≠ sign det W2), mean pair cosine below 0, or a non-finite statistic. "
                + "Unconverged: final loss above ln B, or a loss that moved by more than " + (int) (100 * TrackedTraining.DRIFT_BOUND)
                + "% over the last tenth of training (docs/theory.md section 8.1). J is undefined (shown as NaN) for the digits' 32-d embeddings.\n");
        table.append(String.format(java.util.Locale.ROOT, "%nRuntime: %.1f s of compute on %s.%n", r.seconds(), r.device()));
        Outputs.summary(dir.resolve("summary.md"), "Aligned start against independent starts",
                String.format(java.util.Locale.ROOT, "Circle: the modality-gap setting (2x2 bias-free linear towers onto S^1, symmetric InfoNCE tau 0.07, "
                        + "Adam lr 5e-3), sigma = %s, %d seeds, %d steps of batch %d, %d evaluation pairs (J from 60-bin angle histograms of "
                        + "modality 1 on the first half of the pairs against modality 2 on the second). Digits: MLP towers 32-128-32 onto S^31, "
                        + "%d steps, %d seeds%s. Aligned start: both towers initialised to tower 1's parameters; same seeds and batches as "
                        + "the independent starts. Gap path at steps %s (circle) and %s (digits).",
                        c.sigmas(), c.seeds(), c.steps(), c.batchSize(), c.evalSize(), c.digitsSteps(), c.digitsSeeds(),
                        c.digits() ? "" : " (not run)", Arrays.toString(path(c, "circle")), Arrays.toString(path(c, "digits"))),
                claims, table.toString());
        return doc;
    }

    static void pathFigures(AlignedStartResult r, Path dir) {
        AlignedStartConfig c = r.config();
        List<XYChart> panels = new ArrayList<>();
        for (double sigma : c.sigmas()) {
            if (sigma > 0) {
                panels.add(pathPanel(r, "circle", sigma, "J (disjoint halves)", "circle, σ = " + Outputs.f(sigma, 1), true));
            }
        }
        if (!panels.isEmpty()) {
            Figures.saveGrid(panels, 1, dir.resolve("path_circle_J"));
        }
        List<XYChart> gaps = new ArrayList<>();
        for (double sigma : c.sigmas()) {
            gaps.add(pathPanel(r, "circle", sigma, "centroid gap", "circle, σ = " + Outputs.f(sigma, 1), false));
        }
        Figures.saveGrid(gaps, 2, dir.resolve("path_circle_gap"));
        if (c.digits()) {
            Figures.save(pathPanel(r, "digits", Double.NaN, "held-out centroid gap", "digits", false), dir.resolve("path_digits_gap"));
        }
    }

    /** Median and interquartile band over seeds, per start; degenerate runs left out of the band and counted in the legend. */
    static XYChart pathPanel(AlignedStartResult r, String dataset, double sigma, String what, String title, boolean j) {
        XYChart chart = Figures.lineChart(title, "training step", what + ", median & IQR", Figures.WIDTH, 180);
        int ci = 0;
        for (String start : List.of(INDEPENDENT, ALIGNED)) {
            List<TrackedTraining.Row> at = select(r.rows(), dataset, sigma, start);
            List<TrackedTraining.Row> ok = at.stream().filter(x -> !degenerate(x)).toList();
            if (ok.isEmpty()) {
                continue;
            }
            int[] steps = ok.get(0).pathSteps();
            double[] x = new double[steps.length];
            double[] med = new double[steps.length];
            double[] lo = new double[steps.length];
            double[] hi = new double[steps.length];
            for (int i = 0; i < steps.length; i++) {
                final int fi = i;
                double[] v = ok.stream().mapToDouble(row -> j ? row.pathJ()[fi] : row.pathGap()[fi]).filter(Double::isFinite).toArray();
                x[i] = steps[i];
                med[i] = ModalityGap.quantile(v, 0.5);
                lo[i] = ModalityGap.quantile(v, 0.25);
                hi[i] = ModalityGap.quantile(v, 0.75);
            }
            java.awt.Color color = Figures.PALETTE[ci++];
            int left = at.size() - ok.size();
            Figures.addBand(chart, start + " IQR", x, lo, hi, color).setShowInLegend(false);
            XYSeries s = Figures.addLine(chart, start + (left > 0 ? " (" + left + " degenerate not drawn)" : ""), x, med, null);
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
        return chart;
    }

}
