package org.gaplab.engine.experiment;

import ai.djl.Device;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.report.Json;
import org.gaplab.engine.sweep.SweepTable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gaplab reproduce gap-control}: the explicit cross-modal divergence regulariser of
 * THEORY.md section 5. Symmetric InfoNCE plus {@code lambda * D} is trained for each lambda on the
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
    public record Result(GapControlConfig config, List<Curve> curves, double seconds, String device) {}

    /** Runs both sweeps. */
    public static Result run(GapControlConfig config, Device device) {
        long start = System.nanoTime();
        List<Curve> curves = new ArrayList<>();
        for (Map.Entry<String, RunConfig> e : Map.of("circle", config.circle(), "digits", config.digits()).entrySet()
                .stream().sorted(Map.Entry.comparingByKey()).toList()) {
            SweepTable t = ParameterStudy.run(KEY, config.lambdas(), config.seeds(),
                    (lambda, seed) -> config.runAt(e.getValue(), lambda, seed), device);
            curves.add(new Curve(e.getKey(), t, ParameterStudy.summarise(t, KEY, config.lambdas())));
        }
        return new Result(config, curves, (System.nanoTime() - start) / 1e9, device.toString());
    }

    /** @return the claims checked against a result */
    static List<Claim> claims(Result r) {
        List<Claim> out = new ArrayList<>();
        for (Curve c : r.curves()) {
            ParameterStudy.Point first = c.points().get(0);
            ParameterStudy.Point last = c.points().get(c.points().size() - 1);
            double g0 = first.mean("eval_centroid_gap");
            double g1 = last.mean("eval_centroid_gap");
            out.add(new Claim(c.dataset() + ": the divergence regulariser closes the population-level gap.",
                    "mean centroid gap at lambda = " + last.value() + " below half of lambda = 0",
                    Claim.Verdict.of(g1 < 0.5 * g0), "centroid gap " + Outputs.f(g0, 4) + " -> " + Outputs.f(g1, 4)
                            + ", MMD^2 " + Outputs.f(first.mean("eval_mmd2_rbf_1x"), 5) + " -> "
                            + Outputs.f(last.mean("eval_mmd2_rbf_1x"), 5)));
            double a0 = first.mean("mean_pair_cosine");
            double a1 = last.mean("mean_pair_cosine");
            double r0 = (first.mean("eval_r1_1to2") + first.mean("eval_r1_2to1")) / 2;
            double r1 = (last.mean("eval_r1_1to2") + last.mean("eval_r1_2to1")) / 2;
            double l0 = first.mean("eval_loss");
            double l1 = last.mean("eval_loss");
            out.add(new Claim(c.dataset() + ": closing the gap is a trade-off: the contrastive fit gets worse.",
                    "held-out symmetric InfoNCE loss (mean over seeds) at lambda = " + last.value() + " above lambda = 0",
                    Claim.Verdict.of(l1 > l0), "held-out InfoNCE " + Outputs.f(l0, 4) + " -> " + Outputs.f(l1, 4) + "; R@1 "
                            + Outputs.f(r0, 4) + " -> " + Outputs.f(r1, 4) + "; mean pair cosine " + Outputs.f(a0, 4) + " -> "
                            + Outputs.f(a1, 4)));
        }
        return out;
    }

    /** Writes gap_control.json, gap_control_&lt;dataset&gt;.csv, runs_&lt;dataset&gt;.csv, figures and summary.md. */
    public static Map<String, Object> write(Result r, Path out) {
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
            curves.put(c.dataset(), Map.of("points", c.points(), "runs", c.rows().rows()));
            ParameterStudy.writeCsv(out.resolve("gap_control_" + c.dataset() + ".csv"), KEY, c.points(), metrics);
            Json.writeAtomically(out.resolve("runs_" + c.dataset() + ".csv"), c.rows().csv().getBytes(StandardCharsets.UTF_8));
            ParameterStudy.figure(out.resolve("gap_vs_lambda_" + c.dataset()), c.dataset() + ": gap statistics vs λ (mean ± sd)",
                    "λ", "statistic", c.points(), Map.of("eval_centroid_gap", "centroid gap",
                            "eval_energy_distance", "energy distance", "eval_mmd2_rbf_1x", "MMD² (RBF, 1x median)"));
            ParameterStudy.figure(out.resolve("retrieval_vs_lambda_" + c.dataset()), c.dataset() + ": retrieval vs λ (mean ± sd)",
                    "λ", "R@K / cosine", c.points(), Map.of("eval_r1_1to2", "R@1 1→2", "eval_r1_2to1", "R@1 2→1",
                            "mean_pair_cosine", "mean pair cosine"));
            tail.append("### ").append(c.dataset()).append("\n\n| λ | runs | R@1 1→2 | R@1 2→1 | pair cosine | centroid gap | MMD² 1x |\n"
                    + "|---|---|---|---|---|---|---|\n");
            for (ParameterStudy.Point p : c.points()) {
                tail.append("| ").append(p.value()).append(" | ").append(p.runs());
                for (String m : List.of("eval_r1_1to2", "eval_r1_2to1", "mean_pair_cosine", "eval_centroid_gap", "eval_mmd2_rbf_1x")) {
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
}
