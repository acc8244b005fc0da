package org.gaplab.engine.experiment.gapcontrol;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.EvalGeometry;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gaplab reproduce gap-control}: the explicit cross-modal divergence regulariser of
 * docs/theory.md section 5. Symmetric InfoNCE plus {@code lambda * D} is trained for each lambda on the
 * circle data at sigma = 0.5 (MLP towers onto S^7, {@link GapControlConfig#circleRun}) and on the
 * digit halves; gap statistics and retrieval of the evaluation set are plotted against lambda. The
 * theory predicts a trade-off: the gap closes as lambda grows, at a cost to the contrastive fit,
 * which is judged by the held-out InfoNCE loss (retrieval on the circle is at chance at every
 * lambda: its latent is continuous, so held-out pairs have near-identical neighbours).
 */
public final class GapControl {
    /** The swept key in rows and tables. */
    public static final String KEY = "lambda";

    private GapControl() {}

    /**
     * One dataset's sweep.
     *
     * @param dataset "circle" or "digits"
     * @param rows every run
     * @param points per-lambda summary
     */
    public record Curve(String dataset, SweepTable rows, List<ParameterStudy.Point> points) {}

    /**
     * @param config the settings
     * @param curves circle, then digits
     * @param seconds wall time
     * @param device where it ran
     */
    public record GapControlResult(GapControlConfig config, List<Curve> curves, double seconds, String device) {}

    /**
     * Root-mean-square distance of unit vectors to their centroid, {@code sqrt(1 - ||c||^2)}
     * (since {@code E||z - c||^2 = 1 - ||c||^2} on the sphere), averaged over the two modalities in
     * quadrature: the spread against which a centroid gap is small or large. It is 0 for a
     * collapsed embedding.
     */
    static double spread(SweepRow row) {
        double c1 = row.metric(Metric.EVAL_CENTROID_NORM_1);
        double c2 = row.metric(Metric.EVAL_CENTROID_NORM_2);
        return Math.sqrt(Math.max(0, 1 - (c1 * c1 + c2 * c2) / 2));
    }

    /** @return the claims checked against a result: lambda = 0 against the largest lambda, by Welch's test */
    public static List<Claim> claims(GapControlResult r) {
        List<Claim> out = new ArrayList<>();
        String source = "paper, section 5 (closing the gap needs an explicit cross-modal divergence regulariser); docs/theory.md section 5";
        for (Curve c : r.curves()) {
            double l0 = c.points().get(0).value();
            double l1 = c.points().get(c.points().size() - 1).value();
            int n = r.config().seeds();
            double[] gap0 = bySeed(c, l0, x -> x.metric(Metric.EVAL_CENTROID_GAP), n);
            double[] rel0 = bySeed(c, l0, x -> x.metric(Metric.EVAL_CENTROID_GAP) / spread(x), n);
            double[] sp0 = bySeed(c, l0, GapControl::spread, n);
            List<Double> lambdas = c.points().stream().map(ParameterStudy.Point::value).filter(v -> v != l0).toList();
            double[] pClose = new double[lambdas.size()];
            boolean[] falls = new boolean[lambdas.size()];
            boolean[] collapsed = new boolean[lambdas.size()];
            StringBuilder ev = new StringBuilder();
            for (int i = 0; i < lambdas.size(); i++) {
                double l = lambdas.get(i);
                double[] gapL = bySeed(c, l, x -> x.metric(Metric.EVAL_CENTROID_GAP), n);
                double[] relL = bySeed(c, l, x -> x.metric(Metric.EVAL_CENTROID_GAP) / spread(x), n);
                double[] spL = bySeed(c, l, GapControl::spread, n);
                // paired by seed: lambda = 0 and lambda > 0 share initialisation and batches
                HypothesisTests.Tested gap = HypothesisTests.againstThreshold(minus(gapL, gap0, 1), 0, HypothesisTests.Direction.DECREASING);
                HypothesisTests.Tested rel = HypothesisTests.againstThreshold(minus(relL, rel0, 1), 0, HypothesisTests.Direction.DECREASING);
                HypothesisTests.Tested kept = HypothesisTests.againstThreshold(minus(spL, sp0, 0.5), 0, HypothesisTests.Direction.INCREASING);
                pClose[i] = Math.max(gap.pExpected(), Math.max(rel.pExpected(), kept.pExpected()));
                falls[i] = gap.pExpected() < HypothesisTests.ALPHA;
                collapsed[i] = kept.pOpposite() < HypothesisTests.ALPHA;
                ev.append("lambda ").append(l).append(": centroid gap ").append(Outputs.f(Stats.mean(gap0), 3)).append(" -> ")
                        .append(Outputs.f(Stats.mean(gapL), 3)).append(" (p = ").append(HypothesisTests.p(gap.pExpected())).append("), gap / spread p = ")
                        .append(HypothesisTests.p(rel.pExpected())).append(", spread ").append(Outputs.f(Stats.mean(sp0), 3)).append(" -> ")
                        .append(Outputs.f(Stats.mean(spL), 3)).append(" (above half: p = ").append(HypothesisTests.p(kept.pExpected()))
                        .append(collapsed[i] ? "; COLLAPSE: below half, p = " + HypothesisTests.p(kept.pOpposite()) : "").append("); ");
            }
            double[] holm = HypothesisTests.holm(pClose);
            double largest = Double.NaN;
            for (int i = 0; i < lambdas.size(); i++) {
                if (holm[i] < HypothesisTests.ALPHA) {
                    largest = lambdas.get(i);
                }
            }
            boolean anyFalls = false;
            boolean allFallsCollapsed = true;
            for (int i = 0; i < lambdas.size(); i++) {
                anyFalls |= falls[i];
                allFallsCollapsed &= !falls[i] || collapsed[i];
            }
            Claim.Verdict v = !Double.isNaN(largest) ? Claim.Verdict.SUPPORTED
                    : anyFalls && allFallsCollapsed ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE;
            out.add(new Claim(c.dataset() + ": the divergence regulariser closes the population-level gap.", source,
                    "for each lambda > 0, paired by seed against lambda = 0 (one-sided paired t-tests at level " + HypothesisTests.ALPHA
                            + "): the centroid gap falls, the gap relative to the spread sqrt(1 - |c|^2) falls, and the spread stays "
                            + "significantly above half of the same seed's lambda = 0 spread (non-collapse shown, not assumed); SUPPORTED when "
                            + "some lambda passes all three (Holm across lambdas on the largest of its three p-values); NOT SUPPORTED when no "
                            + "lambda does and every lambda at which the gap falls has collapsed (spread significantly below half)",
                    v, (Double.isNaN(largest) ? "no lambda closes the gap without collapse" : "largest lambda that closes the gap without "
                            + "collapse: " + largest) + "; " + ev + "uniformity (Wang-Isola) "
                            + Outputs.f(mean(c, l0, Metric.EVAL_WANG_ISOLA_UNIFORMITY_1), 3) + " / "
                            + Outputs.f(mean(c, l0, Metric.EVAL_WANG_ISOLA_UNIFORMITY_2), 3) + " -> "
                            + Outputs.f(mean(c, l1, Metric.EVAL_WANG_ISOLA_UNIFORMITY_1), 3) + " / "
                            + Outputs.f(mean(c, l1, Metric.EVAL_WANG_ISOLA_UNIFORMITY_2), 3) + " at lambda " + l1));
            double[] loss0 = bySeed(c, l0, x -> x.metric(Metric.EVAL_LOSS), n);
            double[] loss1 = bySeed(c, l1, x -> x.metric(Metric.EVAL_LOSS), n);
            HypothesisTests.Tested loss = HypothesisTests.againstThreshold(minus(loss1, loss0, 1), 0, HypothesisTests.Direction.INCREASING);
            out.add(new Claim(c.dataset() + ": closing the gap is a trade-off: the contrastive fit gets worse.", source,
                    "one-sided paired t-test over seeds at level " + HypothesisTests.ALPHA + ": held-out symmetric InfoNCE loss at lambda = " + l1
                            + " above the same seed's lambda = 0 loss",
                    loss.verdict(), "held-out InfoNCE " + Outputs.f(Stats.mean(finite(loss0)), 4) + " -> " + Outputs.f(Stats.mean(finite(loss1)), 4)
                            + " (p = " + HypothesisTests.p(loss.pExpected()) + "); R@1 "
                            + Outputs.f(mean(c, l0, Metric.EVAL_R1_1TO2), 4) + " -> " + Outputs.f(mean(c, l1, Metric.EVAL_R1_1TO2), 4)
                            + "; mean pair cosine " + Outputs.f(mean(c, l0, Metric.MEAN_PAIR_COSINE), 4) + " -> "
                            + Outputs.f(mean(c, l1, Metric.MEAN_PAIR_COSINE), 4)));
        }
        return out;
    }

    /** @return f of each seed 0..n-1 at lambda (NaN where the run is missing or did not complete) */
    static double[] bySeed(Curve c, double lambda, java.util.function.ToDoubleFunction<SweepRow> f, int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        for (SweepRow x : c.rows().rows()) {
            if (x.completed() && ((Number) x.overrides().get(KEY)).doubleValue() == lambda && x.seed() < n) {
                out[(int) x.seed()] = f.applyAsDouble(x);
            }
        }
        return out;
    }

    /** @return a - factor * b elementwise */
    private static double[] minus(double[] a, double[] b, double factor) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - factor * b[i];
        }
        return d;
    }

    private static double[] finite(double[] v) {
        return java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    static double[] values(Curve c, double lambda, java.util.function.ToDoubleFunction<SweepRow> f) {
        return c.rows().rows().stream().filter(x -> x.completed()
                && ((Number) x.overrides().get(KEY)).doubleValue() == lambda).mapToDouble(f).toArray();
    }

    static double mean(Curve c, double lambda, Metric metric) {
        return Stats.mean(values(c, lambda, x -> x.metric(metric)));
    }

    private static String diff(double[] before, double[] after, HypothesisTests.Welch w) {
        return String.format(java.util.Locale.ROOT, "%.4g -> %.4g (difference %.4g, %.0f%% CI [%.4g, %.4g], p = %s)",
                Stats.mean(before), Stats.mean(after), w.difference(), 100 * (1 - 2 * HypothesisTests.ALPHA), w.lo(), w.hi(),
                HypothesisTests.p(w.test().pExpected()));
    }

    /** Writes gap_control.json, gap_control_&lt;dataset&gt;.csv, runs_&lt;dataset&gt;.csv, figures and summary.md. */
    public static Map<String, Object> write(GapControlResult r, Path out) {
        List<String> metrics = EvalGeometry.rowMetrics();
        List<Claim> claims = claims(r);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "gap-control");
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("penalty", r.config().penalty().name().toLowerCase(java.util.Locale.ROOT));
        cfg.put("lambdas", r.config().lambdas());
        cfg.put("seeds", r.config().seeds());
        cfg.put("circle", ConfigLoader.toTree(r.config().circle()));
        cfg.put("digits", ConfigLoader.toTree(r.config().digits()));
        doc.put("config", cfg);
        doc.put("device", r.device());
        doc.put("wall_seconds", r.seconds());
        StringBuilder tail = new StringBuilder();
        Map<String, Object> curves = new LinkedHashMap<>();
        for (Curve c : r.curves()) {
            curves.put(c.dataset(), Outputs.inOrder("points", c.points(), "runs", c.rows().rows()));
            ParameterStudy.writeCsv(out.resolve("gap_control_" + c.dataset() + ".csv"), KEY, c.points(), metrics);
            Json.writeAtomically(out.resolve("runs_" + c.dataset() + ".csv"), c.rows().csv().getBytes(StandardCharsets.UTF_8));
            ParameterStudy.figure(out.resolve("gap_vs_lambda_" + c.dataset()), c.dataset() + ": gap statistics vs λ (mean ± sd)",
                    "λ", "statistic", c.points(), Outputs.<String>inOrder("eval_centroid_gap", "centroid gap",
                            "eval_energy_distance", "energy distance", "eval_mmd2_rbf_1x", "MMD² (RBF, 1x median)"));
            ParameterStudy.figure(out.resolve("retrieval_vs_lambda_" + c.dataset()), c.dataset() + ": retrieval vs λ (mean ± sd)",
                    "λ", "R@K / cosine", c.points(), Outputs.<String>inOrder("eval_r1_1to2", "R@1 1→2", "eval_r1_2to1", "R@1 2→1",
                            "mean_pair_cosine", "mean pair cosine"));
            tail.append("### ").append(c.dataset()).append("\n\n| λ | runs | R@1 1→2 | R@1 2→1 | pair cosine | centroid gap | MMD² 1x "
                    + "| centroid norm 1 | centroid norm 2 | uniformity 1 | uniformity 2 |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (ParameterStudy.Point p : c.points()) {
                tail.append("| ").append(p.value()).append(" | ").append(p.runs());
                for (Metric m : List.of(Metric.EVAL_R1_1TO2, Metric.EVAL_R1_2TO1, Metric.MEAN_PAIR_COSINE, Metric.EVAL_CENTROID_GAP, Metric.EVAL_MMD2_RBF_1X,
                        Metric.EVAL_CENTROID_NORM_1, Metric.EVAL_CENTROID_NORM_2, Metric.EVAL_WANG_ISOLA_UNIFORMITY_1, Metric.EVAL_WANG_ISOLA_UNIFORMITY_2)) {
                    tail.append(" | ").append(Outputs.f(p.mean(m), 4)).append(" ± ").append(Outputs.f(p.sd(m), 4));
                }
                tail.append(" |\n");
            }
            tail.append('\n');
        }
        doc.put("curves", curves);
        doc.put("claims", claims);
        Json.write(out.resolve("gap_control.json"), doc);
        Outputs.summary(out.resolve("summary.md"), "Gap control: symmetric InfoNCE + λ · D",
                "D = " + r.config().penalty().name().toLowerCase(java.util.Locale.ROOT) + " of the two towers' batch embeddings "
                        + "(MMD²: biased V-statistic, RBF kernel, median-heuristic bandwidth held out of the gradient). "
                        + r.config().seeds() + " seeds per λ; circle: σ = 0.5, " + r.config().circle().steps()
                        + " steps; digits: " + r.config().digits().steps() + " steps. Statistics of each run's evaluation set.",
                claims, tail + "Runtime: " + Outputs.f(r.seconds(), 1) + " s on " + r.device() + ".");
        return doc;
    }

    /** The two datasets of the study, in output order. */
    static List<Map.Entry<String, RunConfig>> datasets(GapControlConfig config) {
        return List.of(Map.entry("circle", config.circle()), Map.entry("digits", config.digits()));
    }

}
