package org.gaplab.engine.experiment.gibbslimit;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The outputs of gibbs-limit: {@code gibbs_limit.json}, the CSV tables, the figure and {@code summary.md}. */
public final class GibbsLimitReport {
    private GibbsLimitReport() {}

    /** Writes gibbs_limit.json, gibbs_limit.csv, runs.csv, bias_vs_h2.png and summary.md. */
    public static Map<String, Object> write(GibbsLimit.GibbsLimitResult r, Path dir) {
        GibbsLimitConfig c = r.config();
        List<Claim> claims = GibbsLimitClaims.claims(r);
        Map<String, Object> doc = Outputs.document("gibbs-limit", c, r.device());
        doc.put("seconds", r.seconds());
        doc.put("gibbs", Outputs.inOrder("taus", r.gibbs().taus(), "cap_mass", r.gibbs().capMass(), "cap_mass_se", r.gibbs().capMassSe()));
        doc.put("rows", r.rows());
        doc.put("levels", r.levels());
        doc.put("claims", claims);
        Json.write(dir.resolve("gibbs_limit.json"), doc);
        List<Object[]> rows = new ArrayList<>();
        for (GibbsLimit.Row x : r.rows()) {
            rows.add(new Object[] {x.bandwidth(), x.particles(), x.tau(), x.seeds(), x.meanCap(), x.sdCap(), x.gibbs(), x.bias(), x.biasSe()});
        }
        Outputs.csv(dir.resolve("gibbs_limit.csv"), List.of("h", "particles", "tau", "seeds", "trained_cap_mean", "trained_cap_sd", "gibbs",
                "bias", "bias_se"), rows);
        List<Object[]> runs = new ArrayList<>();
        for (GibbsLimit.Level l : r.levels()) {
            for (int t = 0; t < c.taus().size(); t++) {
                for (int s = 0; s < c.seeds(); s++) {
                    runs.add(new Object[] {l.bandwidth(), l.particles(), c.taus().get(t), s, l.capMass()[t][s],
                        l.capMass()[t][s] - r.gibbs().capMass()[t], l.objective()[t][s]});
                }
            }
        }
        Outputs.csv(dir.resolve("runs.csv"), List.of("h", "particles", "tau", "seed", "cap_mass", "bias", "final_objective"), runs);
        figure(r, dir);
        StringBuilder table = new StringBuilder("## Per bandwidth and temperature\n\n| h | M | tau | seeds | trained cap mass (sd) | Gibbs | bias ± SE |\n|---|---|---|---|---|---|---|\n");
        for (GibbsLimit.Row x : r.rows()) {
            table.append(String.format(java.util.Locale.ROOT, "| %.3f | %d | %s | %d | %.4f (%.4f) | %.4f | %+.4f ± %.4f |%n", x.bandwidth(),
                    x.particles(), UnimodalGibbs.fmtTau(x.tau()), x.seeds(), x.meanCap(), x.sdCap(), x.gibbs(), x.bias(), x.biasSe()));
        }
        table.append(String.format(java.util.Locale.ROOT, "%nRuntime: %.1f s of compute on %s.%n", r.seconds(), r.device()));
        Outputs.summary(dir.resolve("summary.md"), "The Gibbs limit: cap-mass bias against the KDE bandwidth",
                String.format(java.util.Locale.ROOT, "Unimodal Gibbs particles on S^2 (as `reproduce unimodal-gibbs`: two-well potential, Adam lr %s, "
                        + "noise sd %s, %d steps) at bandwidths h = %s with M = %s particles, tau = %s, %d seeds per (h, tau); bias = trained "
                        + "cap mass (within %s rad of the nearer well) minus the Gibbs cap mass (Monte Carlo, %d points).",
                        c.lr(), c.noiseSd(), c.steps(), c.bandwidths(), c.particles(), c.taus(), c.seeds(), c.capRadius(), c.mcPoints()),
                claims, table.toString());
        return doc;
    }

    static void figure(GibbsLimit.GibbsLimitResult r, Path dir) {
        GibbsLimitConfig c = r.config();
        XYChart chart = Figures.lineChart("Cap-mass bias against h²", "h² (KDE bandwidth squared, rad²)", "trained − Gibbs cap mass");
        int nl = r.levels().size();
        for (int t = 0; t < c.taus().size(); t++) {
            double[] x = new double[nl];
            double[] y = new double[nl];
            double[] e = new double[nl];
            for (int i = 0; i < nl; i++) {
                GibbsLimit.Row row = GibbsLimit.row(r, i, t);
                x[i] = row.bandwidth() * row.bandwidth();
                y[i] = row.bias();
                e[i] = Double.isFinite(row.biasSe()) ? row.biasSe() : 0;
            }
            XYSeries s = Figures.addScatter(chart, "τ = " + UnimodalGibbs.fmtTau(c.taus().get(t)) + " (mean ± SE)", x, y);
            if (Arrays.stream(e).allMatch(Double::isFinite)) {
                chart.removeSeries(s.getName());
                s = chart.addSeries("τ = " + UnimodalGibbs.fmtTau(c.taus().get(t)) + " (mean ± SE)", x, y, e);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
            java.awt.Color color = Figures.PALETTE[t % Figures.PALETTE.length];
            s.setMarkerColor(color);
            RobustHypothesisTests.Line line = RobustHypothesisTests.weightedLine(x, y, e);
            if (Double.isFinite(line.a())) {
                double[] lx = {0, x[0]};
                double[] ly = {line.a(), line.a() + line.b() * x[0]};
                XYSeries fit = Figures.addLine(chart, "fit to h = 0, τ = " + UnimodalGibbs.fmtTau(c.taus().get(t)), lx, ly, null);
                fit.setLineStyle(Figures.DASHED);
                fit.setLineColor(color);
                fit.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
                fit.setShowInLegend(t == 0);
            }
        }
        XYSeries zero = Figures.addLine(chart, "no bias", new double[] {0, c.bandwidths().get(0) * c.bandwidths().get(0)},
                new double[] {0, 0}, null);
        zero.setLineColor(java.awt.Color.GRAY);
        zero.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        chart.getStyler().setXAxisMin(0.0);
        Figures.save(chart, dir.resolve("bias_vs_h2"));
    }
}
