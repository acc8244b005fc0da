package org.gaplab.engine.experiment.sharpening;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.alignedstart.AlignedStart;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;
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
 * Kernel sharpening (docs/theory.md section 8.1, "sharpening"): the paper's abstract speaks of "a
 * persistent negative symmetric divergence term that remains even after kernel sharpening". The
 * modality-gap circle is trained at fixed misalignment sigma over temperatures from 1 to 0.02, beside
 * the sigma = 0 control at each temperature, every run long enough to check its convergence. The
 * claim: at every tau the gap (J on disjoint halves, centroid gap) stays above the control. The trend
 * against tau is an observation, set beside Liang et al. (2022), who report the gap growing as the
 * temperature falls.
 */
public final class Sharpening {
    private Sharpening() {}

    /**
     * Per (tau, sigma).
     *
     * @param tau temperature
     * @param sigma misalignment
     * @param runs completed runs
     * @param converged converged runs
     * @param degenerate runs in a degenerate basin
     * @param medianJ median J over converged runs
     * @param q25J lower quartile
     * @param q75J upper quartile
     * @param medianGap median centroid gap over converged runs
     * @param q25Gap lower quartile
     * @param q75Gap upper quartile
     * @param medianFinalLoss median final loss
     * @param maxDrift largest relative loss drift over the last tenth of training
     */
    public record Cell(double tau, double sigma, int runs, int converged, int degenerate, double medianJ, double q25J, double q75J,
            double medianGap, double q25Gap, double q75Gap, double medianFinalLoss, double maxDrift) {}

    /**
     * @param config settings
     * @param rows every run
     * @param cells the summary
     * @param seconds compute time
     * @param device where it ran
     */
    public record SharpeningResult(SharpeningConfig config, List<TrackedTraining.Row> rows, List<Cell> cells, double seconds, String device) {}

    static List<SweepPoint> points(SharpeningConfig c) {
        List<SweepPoint> points = new ArrayList<>();
        for (double tau : c.taus()) {
            for (double sigma : c.sigmas()) {
                for (int s = 0; s < c.seeds(); s++) {
                    points.add(new SweepPoint(points.size(), Outputs.inOrder("tau", tau, "sigma", sigma), s, c.run(tau, sigma, s)));
                }
            }
        }
        return points;
    }

    static List<List<SweepPoint>> chunks(SharpeningConfig c) {
        return SweepPlan.stack(points(c), SweepPlan::autoChunk, SweepPlan.Cut.FILL);
    }

    static List<TrackedTraining.Row> at(List<TrackedTraining.Row> rows, double tau, double sigma) {
        return rows.stream().filter(r -> ((Number) r.overrides().get("tau")).doubleValue() == tau
                && ((Number) r.overrides().get("sigma")).doubleValue() == sigma).toList();
    }

    public static List<Cell> cells(SharpeningConfig c, List<TrackedTraining.Row> rows) {
        List<Cell> out = new ArrayList<>();
        for (double tau : c.taus()) {
            for (double sigma : c.sigmas()) {
                List<TrackedTraining.Row> at = at(rows, tau, sigma);
                List<TrackedTraining.Row> ok = at.stream().filter(TrackedTraining.Row::converged).toList();
                double[] j = ok.stream().mapToDouble(r -> r.metric("jeffreys")).filter(Double::isFinite).toArray();
                double[] g = ok.stream().mapToDouble(r -> r.metric("centroid_gap")).filter(Double::isFinite).toArray();
                out.add(new Cell(tau, sigma, (int) at.stream().filter(r -> r.status() == RunStatus.COMPLETED).count(), ok.size(),
                        (int) at.stream().filter(AlignedStart::degenerate).count(), ModalityGap.quantile(j, 0.5), ModalityGap.quantile(j, 0.25),
                        ModalityGap.quantile(j, 0.75), ModalityGap.quantile(g, 0.5), ModalityGap.quantile(g, 0.25), ModalityGap.quantile(g, 0.75),
                        ModalityGap.quantile(at.stream().mapToDouble(r -> r.metric("final_loss")).toArray(), 0.5),
                        at.stream().mapToDouble(r -> r.metric("loss_drift")).filter(Double::isFinite).max().orElse(Double.NaN)));
            }
        }
        return out;
    }

    /** @return the metric per seed over converged runs only (NaN elsewhere) */
    private static double[] converged(List<TrackedTraining.Row> rows, String metric, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (TrackedTraining.Row r : rows) {
            if (r.seed() < n && r.converged()) {
                out[(int) r.seed()] = r.metric(metric);
            }
        }
        return out;
    }

    public static List<Claim> claims(SharpeningResult r) {
        SharpeningConfig c = r.config();
        int n = c.seeds();
        List<Double> positive = c.sigmas().stream().filter(s -> s > 0).toList();
        List<Double> pExp = new ArrayList<>();
        List<Double> pOpp = new ArrayList<>();
        StringBuilder ev = new StringBuilder();
        int unconverged = (int) r.rows().stream().filter(x -> !x.converged()).count();
        for (double tau : c.taus()) {
            double[] j0 = converged(at(r.rows(), tau, 0.0), "jeffreys", n);
            double[] g0 = converged(at(r.rows(), tau, 0.0), "centroid_gap", n);
            for (double sigma : positive) {
                double[] j = converged(at(r.rows(), tau, sigma), "jeffreys", n);
                double[] g = converged(at(r.rows(), tau, sigma), "centroid_gap", n);
                HypothesisTests.Tested tj = HypothesisTests.signedRank(j, j0, HypothesisTests.Direction.INCREASING);
                HypothesisTests.Tested tg = HypothesisTests.signedRank(g, g0, HypothesisTests.Direction.INCREASING);
                pExp.add(tj.pExpected());
                pExp.add(tg.pExpected());
                pOpp.add(tj.pOpposite());
                pOpp.add(tg.pOpposite());
                ev.append(ev.length() == 0 ? "" : "; ").append("tau ").append(UnimodalGibbs.fmtTau(tau)).append(", sigma ")
                        .append(Outputs.f(sigma, 1)).append(": p(J) = ").append(HypothesisTests.p(tj.pExpected())).append(", p(gap) = ")
                        .append(HypothesisTests.p(tg.pExpected()));
            }
        }
        boolean all = !pExp.isEmpty() && pExp.stream().allMatch(p -> p < HypothesisTests.ALPHA);
        boolean against = Arrays.stream(HypothesisTests.holm(pOpp.stream().mapToDouble(Double::doubleValue).toArray()))
                .anyMatch(p -> p < HypothesisTests.ALPHA);
        List<Claim> out = new ArrayList<>();
        out.add(new Claim("The gap persists under kernel sharpening: at every tau the trained J and centroid gap at sigma > 0 stay above "
                + "the sigma = 0 control.",
                "paper, abstract (\"a persistent negative symmetric divergence term that remains even after kernel sharpening\"); "
                        + "docs/theory.md sections 5 and 8.1",
                "per (tau, sigma > 0) and statistic (J on disjoint halves, centroid gap), Wilcoxon signed-rank over seeds against the sigma "
                        + "= 0 run of the same tau and seed, one-sided, level " + HypothesisTests.ALPHA + "; every cell and both statistics must "
                        + "reject; unconverged runs left out (a cell with fewer than 5 converged pairs cannot reject); NOT SUPPORTED when "
                        + "some cell is significantly below its control (Holm)",
                all ? Claim.Verdict.SUPPORTED : against ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE,
                unconverged + " of " + r.rows().size() + " runs unconverged and left out; largest p = "
                        + HypothesisTests.p(pExp.stream().mapToDouble(Double::doubleValue).max().orElse(1)) + "; " + ev));
        return out;
    }

    /** The trend of J against ln tau per sigma > 0: an observation, not a verdict. */
    public static String trendText(SharpeningResult r) {
        SharpeningConfig c = r.config();
        StringBuilder sb = new StringBuilder("## Trend against tau (observation)\n\n");
        sb.append("Per seed, Kendall's tau and the least-squares slope of J (and of the centroid gap) against ln tau over the converged runs; "
                + "across seeds, the signed-rank test of the Kendall taus (two one-sided p-values) and the median per-seed slope with its "
                + "distribution-free 90% interval. Liang et al. (2022) report the gap growing as the temperature falls, i.e. a negative "
                + "slope against ln tau.\n\n");
        for (double sigma : c.sigmas()) {
            if (sigma == 0) {
                continue;
            }
            for (String metric : List.of("jeffreys", "centroid_gap")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                List<Long> seed = new ArrayList<>();
                for (TrackedTraining.Row row : r.rows()) {
                    if (((Number) row.overrides().get("sigma")).doubleValue() == sigma && row.converged()) {
                        x.add(Math.log(((Number) row.overrides().get("tau")).doubleValue()));
                        y.add(row.metric(metric));
                        seed.add(row.seed());
                    }
                }
                double[] xs = x.stream().mapToDouble(Double::doubleValue).toArray();
                double[] ys = y.stream().mapToDouble(Double::doubleValue).toArray();
                long[] ss = seed.stream().mapToLong(Long::longValue).toArray();
                HypothesisTests.Trend t = HypothesisTests.trend(xs, ys, ss, HypothesisTests.Direction.INCREASING);
                double[] slopes = HypothesisTests.perSeedSlopes(xs, ys, ss);
                RobustHypothesisTests.MedianCi m = RobustHypothesisTests.medianCi(slopes);
                String direction = m.hi() < 0 ? "falls as tau grows (grows as tau falls, Liang et al.'s direction)"
                        : m.lo() > 0 ? "grows with tau (falls as tau falls, against Liang et al.'s direction)"
                        : "no direction the interval can tell";
                sb.append(String.format(java.util.Locale.ROOT, "- sigma %.1f, %s: %d of %d seeds increase with tau, p(increasing) = %s, "
                        + "p(decreasing) = %s; per-seed slope per unit ln tau: %s: %s.%n", sigma, metric.equals("jeffreys") ? "J" : "centroid gap",
                        t.agreeing(), t.tau().length, HypothesisTests.p(t.test().pExpected()), HypothesisTests.p(t.test().pOpposite()), m.text(4),
                        direction));
            }
        }
        return sb.toString();
    }

    /** Writes sharpening.json, runs.csv, cells.csv, gap_vs_tau and summary.md. */
    public static Map<String, Object> write(SharpeningResult r, Path dir) {
        SharpeningConfig c = r.config();
        List<Claim> claims = claims(r);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "sharpening");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("seconds", r.seconds());
        doc.put("cells", r.cells());
        doc.put("claims", claims);
        doc.put("runs", r.rows());
        Json.write(dir.resolve("sharpening.json"), doc);
        List<String> metrics = List.of("final_loss", "loss_at_90", "loss_drift", "converged", "eval_loss_0", "eval_loss", "jeffreys",
                "centroid_gap", "energy_distance", "mean_pair_cosine", "opposite_orientation");
        List<String> header = new ArrayList<>(List.of("tau", "sigma", "seed", "status", "degenerate"));
        header.addAll(metrics);
        List<Object[]> rows = new ArrayList<>();
        for (TrackedTraining.Row x : r.rows()) {
            List<Object> row = new ArrayList<>(List.of(x.overrides().get("tau"), x.overrides().get("sigma"), x.seed(), x.status().key(),
                    AlignedStart.degenerate(x) ? 1 : 0));
            metrics.forEach(m -> row.add(x.metric(m)));
            rows.add(row.toArray());
        }
        Outputs.csv(dir.resolve("runs.csv"), header, rows);
        List<Object[]> cells = new ArrayList<>();
        for (Cell x : r.cells()) {
            cells.add(new Object[] {x.tau(), x.sigma(), x.runs(), x.converged(), x.degenerate(), x.medianJ(), x.q25J(), x.q75J(), x.medianGap(),
                x.q25Gap(), x.q75Gap(), x.medianFinalLoss(), x.maxDrift()});
        }
        Outputs.csv(dir.resolve("cells.csv"), List.of("tau", "sigma", "runs", "converged", "degenerate", "median_J", "q25_J", "q75_J",
                "median_centroid_gap", "q25_centroid_gap", "q75_centroid_gap", "median_final_loss", "max_loss_drift"), cells);
        figure(r, dir);
        StringBuilder table = new StringBuilder(trendText(r)).append("\n## Per temperature and sigma (converged runs)\n\n"
                + "| τ | σ | runs | converged | degenerate | median J (IQR) | median centroid gap (IQR) | median final loss | largest drift |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Cell x : r.cells()) {
            table.append(String.format(java.util.Locale.ROOT, "| %s | %.1f | %d | %d | %d | %.4f (%.4f-%.4f) | %.4f (%.4f-%.4f) | %.4f | %.4f |%n",
                    UnimodalGibbs.fmtTau(x.tau()), x.sigma(), x.runs(), x.converged(), x.degenerate(), x.medianJ(), x.q25J(), x.q75J(),
                    x.medianGap(), x.q25Gap(), x.q75Gap(), x.medianFinalLoss(), x.maxDrift()));
        }
        table.append("\nConverged: final loss (mean of the last 5% of steps) below ln B and within " + (int) (100 * TrackedTraining.DRIFT_BOUND)
                + "% of the mean loss of the 5% of steps before 90% of training (docs/theory.md section 8.1).\n");
        table.append(String.format(java.util.Locale.ROOT, "%nRuntime: %.1f s of compute on %s.%n", r.seconds(), r.device()));
        Outputs.summary(dir.resolve("summary.md"), "The gap under kernel sharpening",
                String.format(java.util.Locale.ROOT, "The modality-gap circle (2x2 bias-free linear towers onto S^1, symmetric InfoNCE, Adam lr 5e-3) "
                        + "at sigma = %s and tau = %s, %d seeds, %d steps of batch %d, %d evaluation pairs per run; J from 60-bin angle "
                        + "histograms of modality 1 on the first half of the pairs against modality 2 on the second.",
                        c.sigmas(), c.taus(), c.seeds(), c.steps(), c.batchSize(), c.evalSize()),
                claims, table.toString());
        return doc;
    }

    static void figure(SharpeningResult r, Path dir) {
        SharpeningConfig c = r.config();
        List<XYChart> panels = new ArrayList<>();
        for (boolean j : new boolean[] {true, false}) {
            XYChart chart = Figures.lineChart(j ? "J (disjoint halves)" : "Centroid gap", "log₁₀ τ (temperature)",
                    "median & IQR, converged runs", Figures.WIDTH, 180);
            int ci = 0;
            for (double sigma : c.sigmas()) {
                List<Cell> cs = r.cells().stream().filter(x -> x.sigma() == sigma).sorted((a, b) -> Double.compare(a.tau(), b.tau())).toList();
                double[] x = cs.stream().mapToDouble(k -> Math.log10(k.tau())).toArray();
                java.awt.Color color = Figures.PALETTE[ci++ % Figures.PALETTE.length];
                Figures.addBand(chart, "σ " + sigma + " IQR", x, cs.stream().mapToDouble(k -> j ? k.q25J() : k.q25Gap()).toArray(),
                        cs.stream().mapToDouble(k -> j ? k.q75J() : k.q75Gap()).toArray(), color).setShowInLegend(false);
                XYSeries s = Figures.addLine(chart, "σ = " + sigma + (sigma == 0 ? " (control)" : ""), x,
                        cs.stream().mapToDouble(k -> j ? k.medianJ() : k.medianGap()).toArray(), null);
                s.setLineColor(color);
                s.setMarkerColor(color);
            }
            panels.add(chart);
        }
        Figures.saveGrid(panels, 1, dir.resolve("gap_vs_tau"));
    }

}
