package org.gaplab.engine.experiment.gapcontrol;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.EvalGeometry;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.measure.Metric;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outputs of gap-control: {@code gap_control.json}, the CSV tables, the figures and {@code summary.md}. */
public final class GapControlReport {
    private GapControlReport() {}

    /** Writes gap_control.json, gap_control_&lt;dataset&gt;.csv, runs_&lt;dataset&gt;.csv, figures and summary.md. */
    public static Map<String, Object> write(GapControl.GapControlResult r, Path out) {
        List<String> metrics = EvalGeometry.rowMetrics();
        List<Claim> claims = GapControlClaims.claims(r);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("penalty", r.config().penalty().name().toLowerCase(java.util.Locale.ROOT));
        cfg.put("lambdas", r.config().lambdas());
        cfg.put("seeds", r.config().seeds());
        cfg.put("circle", ConfigLoader.toTree(r.config().circle()));
        cfg.put("digits", ConfigLoader.toTree(r.config().digits()));
        Map<String, Object> doc = Outputs.document("gap-control", cfg, r.device());
        doc.put("wall_seconds", r.seconds());
        StringBuilder tail = new StringBuilder();
        Map<String, Object> curves = new LinkedHashMap<>();
        for (GapControl.Curve c : r.curves()) {
            curves.put(c.dataset(), Outputs.inOrder("points", c.points(), "runs", c.rows().rows()));
            ParameterStudy.writeCsv(out.resolve("gap_control_" + c.dataset() + ".csv"), GapControl.KEY, c.points(), metrics);
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
}
