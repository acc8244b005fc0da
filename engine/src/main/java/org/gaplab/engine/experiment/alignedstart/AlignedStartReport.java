package org.gaplab.engine.experiment.alignedstart;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.modalitygap.ModalityGap;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The outputs of aligned-start: {@code aligned_start.json}, {@code runs.csv}, {@code cells.csv}, the path figures and {@code summary.md}. */
public final class AlignedStartReport {
    private AlignedStartReport() {}

    /** Writes aligned_start.json, runs.csv, cells.csv, path figures and summary.md. */
    public static Map<String, Object> write(AlignedStart.AlignedStartResult r, Path dir) {
        AlignedStartConfig c = r.config();
        List<Claim> claims = AlignedStartClaims.claims(r);
        Map<String, Object> doc = Outputs.document("aligned-start", c, r.device());
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
                    x.overrides().get("start"), x.seed(), x.status().key(), AlignedStart.degenerate(x) ? 1 : 0));
            metrics.forEach(m -> row.add(x.metric(m)));
            rows.add(row.toArray());
        }
        Outputs.csv(dir.resolve("runs.csv"), header, rows);
        List<Object[]> cells = new ArrayList<>();
        for (AlignedStart.Cell x : r.cells()) {
            cells.add(new Object[] {x.dataset(), x.sigma(), x.start(), x.runs(), x.medianJ(), x.q25J(), x.q75J(), x.medianGap0(), x.medianGap(),
                x.medianEnergy(), x.medianEvalLoss0(), x.medianEvalLoss(), x.degenerate(), x.unconverged()});
        }
        Outputs.csv(dir.resolve("cells.csv"), List.of("dataset", "sigma", "start", "runs", "median_J", "q25_J", "q75_J", "median_centroid_gap_0",
                "median_centroid_gap", "median_energy_distance", "median_eval_loss_0", "median_eval_loss", "degenerate", "unconverged"), cells);
        pathFigures(r, dir);
        StringBuilder table = new StringBuilder("## Per setting and start (medians over seeds)\n\n| data | σ | start | runs | J (IQR) | centroid gap step 0 → end | energy | eval loss step 0 → end | degenerate | unconverged |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (AlignedStart.Cell x : r.cells()) {
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
                        c.digits() ? "" : " (not run)", Arrays.toString(AlignedStart.path(c, "circle")), Arrays.toString(AlignedStart.path(c, "digits"))),
                claims, table.toString());
        return doc;
    }

    static void pathFigures(AlignedStart.AlignedStartResult r, Path dir) {
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
    static XYChart pathPanel(AlignedStart.AlignedStartResult r, String dataset, double sigma, String what, String title, boolean j) {
        XYChart chart = Figures.lineChart(title, "training step", what + ", median & IQR", Figures.WIDTH, 180);
        int ci = 0;
        for (String start : List.of(AlignedStart.INDEPENDENT, AlignedStart.ALIGNED)) {
            List<TrackedTraining.Row> at = AlignedStart.select(r.rows(), dataset, sigma, start);
            List<TrackedTraining.Row> ok = at.stream().filter(x -> !AlignedStart.degenerate(x)).toList();
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
