package org.gaplab.engine.experiment.modalitygap;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The outputs of modality-gap: {@code modality_gap.json}, {@code runs.csv}, {@code per_sigma.csv}, the figures and {@code summary.md}. */
public final class ModalityGapReport {
    private ModalityGapReport() {}

    /**
     * Writes modality_gap.json, runs.csv, per_sigma.csv, the figures and summary.md.
     *
     * @param r the result
     * @param dir output directory
     * @return the JSON document (also printed with --json)
     */
    public static Map<String, Object> write(ModalityGap.ModalityGapResult r, Path dir) {
        ModalityGapConfig c = r.config();
        Map<String, Object> doc = Outputs.document("modality-gap", c, r.device());
        doc.put("seconds", r.seconds());
        doc.put("estimator", "J = KL(p||q) + KL(q||p) of 60-bin angle histograms (+1e-8), the paper's, with modality 1 from the first half "
                + "of the evaluation pairs and modality 2 from the second (two independent samples); D_sym = J/2");
        doc.put("per_sigma", r.perSigma());
        doc.put("runs", r.runs());
        Json.write(dir.resolve("modality_gap.json"), doc);
        List<Object[]> runRows = new ArrayList<>();
        r.runs().forEach(x -> runRows.add(new Object[] {x.sigma(), x.seed(), x.status().key(), x.finalLoss(), x.jeffreys(),
            x.centroidGap(), x.energyDistance(), x.meanPairCosine(), x.oppositeOrientation() ? 1 : 0, ModalityGap.degenerate(x) ? 1 : 0,
            ModalityGap.unconverged(x, c.batchSize()) ? 1 : 0}));
        Outputs.csv(dir.resolve("runs.csv"), List.of("sigma", "seed", "status", "final_loss", "jeffreys", "centroid_gap",
                "energy_distance", "mean_pair_cosine", "opposite_orientation", "degenerate", "unconverged"), runRows);
        List<Object[]> sigmaRows = new ArrayList<>();
        r.perSigma().forEach(s -> sigmaRows.add(new Object[] {s.sigma(), s.seeds(), s.meanJ(), s.semJ(), s.medianJ(), s.q25J(),
            s.q75J(), s.degenerateSeeds().size(), s.oppositeOrientation(), s.medianCentroidGap(), s.medianEnergy(), s.controlJ(),
            s.unconvergedSeeds().size(), s.medianJKept(), s.q25JKept(), s.q75JKept()}));
        Outputs.csv(dir.resolve("per_sigma.csv"), List.of("sigma", "seeds", "mean_J", "sem_J", "median_J", "q25_J", "q75_J",
                "degenerate_seeds", "opposite_orientation", "median_centroid_gap", "median_energy_distance", "control_J", "unconverged_seeds",
                "median_J_non_degenerate", "q25_J_non_degenerate", "q75_J_non_degenerate"), sigmaRows);
        gapFigure(r, dir);
        statisticFigure(r, dir);
        if (r.representative() != null) {
            representativeFigures(r.representative(), dir);
        }
        summary(r, dir);
        return doc;
    }

    /**
     * J against sigma for the typical runs: median and interquartile band over the runs that did not end
     * in a degenerate basin, beside the identity control; the degenerate runs are counted in the legend
     * and do not set the axis (a mirrored run's J is tens of times the median). Runs above ln B are
     * counted in the table.
     */
    static void gapFigure(ModalityGap.ModalityGapResult r, Path dir) {
        double[] sigma = r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::sigma).toArray();
        int seeds = r.perSigma().isEmpty() ? 0 : r.perSigma().get(0).seeds();
        int flagged = r.runs().stream().mapToInt(x -> ModalityGap.degenerate(x) ? 1 : 0).sum();
        XYChart chart = Figures.lineChart("Modality gap vs misalignment (" + seeds + " seeds)", "σ (latent misalignment)",
                "J(ρ1, ρ2) = KL12 + KL21");
        Figures.addBand(chart, "interquartile range", sigma, r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::q25JKept).toArray(),
                r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::q75JKept).toArray(), Figures.PALETTE[0]);
        XYSeries median = Figures.addLine(chart, "median" + (flagged > 0 ? " (" + flagged + " degenerate left out)" : ""), sigma,
                r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::medianJKept).toArray(), null);
        median.setLineColor(Figures.PALETTE[0]);
        median.setMarkerColor(Figures.PALETTE[0]);
        median.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.SQUARE);
        XYSeries control = Figures.addLine(chart, "identity encoder (control)", sigma,
                r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::controlJ).toArray(), null);
        control.setLineColor(Color.GRAY);
        control.setMarkerColor(Color.GRAY);
        control.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
        Figures.save(chart, dir.resolve("gap_curve"));
    }

    static void statisticFigure(ModalityGap.ModalityGapResult r, Path dir) {
        double[] sigma = r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::sigma).toArray();
        // two statistics of different scale: one panel each
        XYChart centroid = Figures.lineChart("Centroid gap ‖E z1 − E z2‖", "σ", "median over seeds", Figures.WIDTH, 170);
        Figures.addLine(centroid, "centroid gap", sigma, r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::medianCentroidGap).toArray(), null);
        XYChart energy = Figures.lineChart("Energy distance", "σ", "median over seeds", Figures.WIDTH, 170);
        Figures.addLine(energy, "energy distance", sigma, r.perSigma().stream().mapToDouble(ModalityGap.SigmaSummary::medianEnergy).toArray(), null);
        Figures.saveGrid(List.of(centroid, energy), 2, dir.resolve("centroid_energy"));
    }

    static void representativeFigures(ModalityGap.Representative rep, Path dir) {
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

    static void addPolar(XYChart chart, String name, double[] density, double max) {
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

    static int bin(double angle, int bins) {
        return Math.min(bins - 1, Math.max(0, (int) ((angle + Math.PI) / (2 * Math.PI) * bins)));
    }

    static double[] density(double[] angles, int bins) {
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

    static void summary(ModalityGap.ModalityGapResult r, Path dir) {
        ModalityGapConfig c = r.config();
        List<Claim> claims = ModalityGapClaims.claims(r);
        StringBuilder table = new StringBuilder("## Per sigma\n\n| σ | median J | IQR | median J, non-degenerate | mean J ± SEM | degenerate | unconverged | opposite det | centroid gap | energy | control J (median) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ModalityGap.SigmaSummary s : r.perSigma()) {
            table.append(String.format(java.util.Locale.ROOT, "| %.2f | %.3f | %.3f-%.3f | %.3f | %.3f ± %.3f | %d | %d | %d | %.4f | %.4f | %.3f |%n",
                    s.sigma(), s.medianJ(), s.q25J(), s.q75J(), s.medianJKept(), s.meanJ(), s.semJ(), s.degenerateSeeds().size(),
                    s.unconvergedSeeds().size(), s.oppositeOrientation(), s.medianCentroidGap(), s.medianEnergy(), s.controlJ()));
        }
        table.append(String.format(java.util.Locale.ROOT, "%nFlagged runs: degenerate basin (mirrored maps, unaligned partners or a non-finite J) or "
                + "unconverged (final loss not below ln B = %.3f); the claims use every completed run and say what leaving the flagged ones out "
                + "would give. A 2x2 map onto S^1 cannot reach uniform logits (it cannot collapse), so where misalignment is large "
                + "a trained run's loss can end above ln B: a setting whose runs all end there is reported, not read as unconverged "
                + "training (docs/theory.md section 8.1).%n", Math.log(c.batchSize())));
        table.append(String.format(java.util.Locale.ROOT, "%nRuntime: %.1f s on %s.%n", r.seconds(), r.device()));
        Outputs.summary(dir.resolve("summary.md"), "Modality gap vs misalignment",
                String.format(java.util.Locale.ROOT, "%d sigmas x %d seeds, %d steps of batch %d, symmetric InfoNCE tau 0.07, Adam lr 5e-3, "
                        + "bias-free 2x2 linear encoders onto S^1; evaluation on %d fresh pairs per run (its own eval seed); "
                        + "J from 60-bin angle histograms (+1e-8) and the energy distance (unbiased U-statistic, m = %d per side) on two independent samples: modality 1 from the first half of the evaluation pairs, modality 2 from the second (so is the identity control's J).",
                        c.sigmas().size(), c.seeds(), c.steps(), c.batchSize(), c.evalSize(), Math.min(c.energySubsample(), c.evalSize() / 2)),
                claims, table.toString());
    }
}
