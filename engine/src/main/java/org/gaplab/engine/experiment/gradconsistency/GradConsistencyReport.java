package org.gaplab.engine.experiment.gradconsistency;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outputs of grad-consistency: {@code grad_consistency.json}/{@code .csv}, the figures and {@code summary.md}. */
public final class GradConsistencyReport {
    private GradConsistencyReport() {}

    /**
     * Writes {@code grad_consistency.json}, {@code grad_consistency.csv}, the figures
     * {@code grad_cosine.*} and {@code grad_relerr.*}, and {@code summary.md}.
     *
     * @param r the result
     * @param out the output directory
     * @return the JSON document written
     */
    public static Map<String, Object> write(GradConsistency.GradConsistencyResult r, Path out) {
        List<Claim> claims = GradConsistencyClaims.claims(r);
        GradConsistencyConfig c = r.config();
        Map<String, Object> doc = Outputs.document("grad-consistency", c, r.device());
        doc.put("wall_seconds", r.seconds());
        doc.put("negatives", c.negatives());
        List<Map<String, Object>> critics = new ArrayList<>();
        List<Object[]> rows = new ArrayList<>();
        for (GradConsistency.Curve cv : r.curves()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("critic", cv.critic().name().toLowerCase());
            m.put("tau", cv.tau());
            m.put("positive_noise", cv.noise());
            m.put("cosine_mean", cv.cosineMean());
            m.put("cosine_std", cv.cosineStd());
            m.put("rel_error_mean", cv.relErrorMean());
            m.put("rel_error_std", cv.relErrorStd());
            m.put("rel_error_loglog_slope", cv.relErrorSlope());
            m.put("cosine_per_seed", cv.cosine());
            m.put("rel_error_per_seed", cv.relError());
            critics.add(m);
            double[] cm = cv.cosineMean();
            double[] cs = cv.cosineStd();
            double[] em = cv.relErrorMean();
            double[] es = cv.relErrorStd();
            for (int j = 0; j < c.negatives().size(); j++) {
                rows.add(new Object[] {cv.critic().name().toLowerCase(), c.negatives().get(j), cm[j], cs[j], em[j], es[j]});
            }
        }
        doc.put("critics", critics);
        doc.put("claims", claims);
        Json.write(out.resolve("grad_consistency.json"), doc);
        Outputs.csv(out.resolve("grad_consistency.csv"),
                List.of("critic", "N", "cosine_mean", "cosine_std", "rel_error_mean", "rel_error_std"), rows);
        figures(r, out);
        Outputs.summary(out.resolve("summary.md"), "Gradient consistency of unimodal InfoNCE",
                "Linear encoder W (" + c.outDim() + "x" + c.inDim() + ", N(0, 1/" + c.inDim() + ")) at initialisation on a "
                        + c.components() + "-component Gaussian mixture (mean norm " + c.meanNorm() + ", sd " + c.sd() + "); B = "
                        + c.anchors() + " anchors; reference gradient with N_ref = " + c.nRef() + " negatives; N = "
                        + c.negatives() + " as prefixes of one pool (the reference from N_ref further rows of it, disjoint), drawn from "
                        + (c.negativeLaw() == GradConsistencyConfig.NegativeLaw.SAME_MIXTURE ? "the anchors' own mixture"
                                : "a second mixture with fresh means (as the authors' script, which made the paper's figure)")
                        + "; " + c.seeds() + " seeds. Cosine critic: tau "
                        + c.cosineTau() + ", positive noise " + c.cosineNoise() + ". RBF critic on tanh embeddings: tau "
                        + c.rbfTau() + ", gamma " + c.rbfGamma() + ", positive noise " + c.rbfNoise() + ".",
                claims, table(r) + "\nDevice " + r.device() + ", " + Outputs.f(r.seconds(), 1) + " s.");
        return doc;
    }

    static String table(GradConsistency.GradConsistencyResult r) {
        StringBuilder sb = new StringBuilder("## Numbers (mean +- std over seeds)\n\n| critic | N | cos(g_N, g_ref) | ||g_N - g_ref|| / ||g_ref|| |\n|---|---|---|---|\n");
        for (GradConsistency.Curve cv : r.curves()) {
            double[] cm = cv.cosineMean();
            double[] cs = cv.cosineStd();
            double[] em = cv.relErrorMean();
            double[] es = cv.relErrorStd();
            for (int j = 0; j < cv.negatives().size(); j++) {
                sb.append("| ").append(cv.critic().label()).append(" | ").append(cv.negatives().get(j)).append(" | ")
                        .append(Outputs.f(cm[j], 4)).append(" +- ").append(Outputs.f(cs[j], 4)).append(" | ")
                        .append(Outputs.f(em[j], 4)).append(" +- ").append(Outputs.f(es[j], 4)).append(" |\n");
            }
        }
        return sb.toString();
    }

    static void figures(GradConsistency.GradConsistencyResult r, Path out) {
        double[] n = r.config().negatives().stream().mapToDouble(Integer::doubleValue).toArray();
        XYChart cos = Figures.lineChart("Gradient alignment vs N (mean ± std over " + r.config().seeds() + " seeds)",
                "number of negatives N", "cos(g_N, g_ref)");
        XYChart err = Figures.lineChart("Relative gradient error vs N (mean ± std over " + r.config().seeds() + " seeds)",
                "number of negatives N", "‖g_N − g_ref‖ / ‖g_ref‖");
        for (XYChart ch : List.of(cos, err)) {
            ch.getStyler().setXAxisLogarithmic(true);
        }
        for (GradConsistency.Curve cv : r.curves()) {
            String name = cv.critic().label() + ", τ = " + cv.tau();
            Figures.addLine(cos, name, n, cv.cosineMean(), cv.cosineStd());
            Figures.addLine(err, name, n, cv.relErrorMean(), cv.relErrorStd());
        }
        Figures.save(cos, out.resolve("grad_cosine"));
        Figures.save(err, out.resolve("grad_relerr"));
    }
}
