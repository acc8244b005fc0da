package org.gaplab.engine.experiment.sharpening;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.alignedstart.AlignedStart;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The outputs of sharpening: {@code sharpening.json}, the CSV tables, the figure and {@code summary.md}. */
public final class SharpeningReport {
    private SharpeningReport() {}

    /** Writes sharpening.json, runs.csv, cells.csv, gap_vs_tau and summary.md. */
    public static Map<String, Object> write(Sharpening.SharpeningResult r, Path dir) {
        SharpeningConfig c = r.config();
        List<Claim> claims = SharpeningClaims.claims(r);
        Map<String, Object> doc = Outputs.document("sharpening", c, r.device());
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
        for (Sharpening.Cell x : r.cells()) {
            cells.add(new Object[] {x.tau(), x.sigma(), x.runs(), x.converged(), x.degenerate(), x.medianJ(), x.q25J(), x.q75J(), x.medianGap(),
                x.q25Gap(), x.q75Gap(), x.medianFinalLoss(), x.maxDrift()});
        }
        Outputs.csv(dir.resolve("cells.csv"), List.of("tau", "sigma", "runs", "converged", "degenerate", "median_J", "q25_J", "q75_J",
                "median_centroid_gap", "q25_centroid_gap", "q75_centroid_gap", "median_final_loss", "max_loss_drift"), cells);
        figure(r, dir);
        StringBuilder table = new StringBuilder(SharpeningClaims.trendText(r)).append("\n## Per temperature and sigma (converged runs)\n\n"
                + "| τ | σ | runs | converged | degenerate | median J (IQR) | median centroid gap (IQR) | median final loss | largest drift |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Sharpening.Cell x : r.cells()) {
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

    static void figure(Sharpening.SharpeningResult r, Path dir) {
        SharpeningConfig c = r.config();
        List<XYChart> panels = new ArrayList<>();
        for (boolean j : new boolean[] {true, false}) {
            XYChart chart = Figures.lineChart(j ? "J (disjoint halves)" : "Centroid gap", "log₁₀ τ (temperature)",
                    "median & IQR, converged runs", Figures.WIDTH, 180);
            int ci = 0;
            for (double sigma : c.sigmas()) {
                List<Sharpening.Cell> cs = r.cells().stream().filter(x -> x.sigma() == sigma).sorted((a, b) -> Double.compare(a.tau(), b.tau())).toList();
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
