package org.gaplab.engine.experiment.gibbslimit;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.experiment.gibbs.GibbsReference;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gibbs limit (docs/theory.md section 8.1, "gibbs-limit"): the unimodal Gibbs particles of
 * {@link UnimodalGibbs} trained at several KDE bandwidths h, each level with its own particle count M
 * (M h^2 about constant, so every particle keeps the same number of neighbours within a bandwidth),
 * to tell whether the cap-mass bias of the particle objective is the estimator's (it shrinks as
 * h falls and extrapolates to zero at h = 0) or the theory's.
 *
 * <p>Each level's runs are {@link UnimodalGibbs}' own stacked chunks (same seeds, streams and
 * closed-form gradient); the work units are those chunks, level by level, plus the Monte Carlo
 * reference, so {@code --shard i/n} shares them out and {@code gaplab merge} joins them.
 */
public final class GibbsLimit {
    private GibbsLimit() {}

    /**
     * One level's runs.
     *
     * @param bandwidth h
     * @param particles M
     * @param capMass trained cap mass {@code [tau][seed]}
     * @param objective final objective {@code [tau][seed]}
     */
    public record Level(double bandwidth, int particles, double[][] capMass, double[][] objective) {}

    /**
     * Per level and tau.
     *
     * @param bandwidth h
     * @param particles M
     * @param tau temperature
     * @param seeds finite runs
     * @param meanCap mean trained cap mass
     * @param sdCap its sd over seeds
     * @param gibbs the Gibbs cap mass
     * @param bias mean trained minus Gibbs
     * @param biasSe standard error of the bias (seeds' SEM and Monte Carlo error)
     */
    public record Row(double bandwidth, int particles, double tau, int seeds, double meanCap, double sdCap, double gibbs, double bias,
            double biasSe) {}

    /**
     * Everything the study produced.
     *
     * @param config the settings
     * @param gibbs the reference
     * @param levels per bandwidth
     * @param rows the summary table
     * @param seconds compute time
     * @param device where it ran
     */
    public record GibbsLimitResult(GibbsLimitConfig config, GibbsReference.Estimate gibbs, List<Level> levels, List<Row> rows, double seconds,
            String device) {}

    public static List<Row> rows(GibbsLimitConfig c, GibbsReference.Estimate gibbs, List<Level> levels) {
        List<Row> out = new ArrayList<>();
        for (Level l : levels) {
            for (int t = 0; t < c.taus().size(); t++) {
                double[] cap = Arrays.stream(l.capMass()[t]).filter(Double::isFinite).toArray();
                double mean = Stats.mean(cap);
                double sem = cap.length > 1 ? Stats.sem(cap) : Double.NaN;
                out.add(new Row(l.bandwidth(), l.particles(), c.taus().get(t), cap.length, mean, cap.length > 1 ? Stats.std(cap) : Double.NaN,
                        gibbs.capMass()[t], mean - gibbs.capMass()[t], Math.hypot(sem, gibbs.capMassSe()[t])));
            }
        }
        return out;
    }

    /** @return the claims L1 and L2 of docs/theory.md section 8.1 */
    public static List<Claim> claims(GibbsLimitResult r) {
        GibbsLimitConfig c = r.config();
        String source = "issue 25 (is the cap-mass bias of unimodal-gibbs the KDE estimator's or the theory's?); paper section 4; "
                + "docs/theory.md section 8.1";
        int nt = c.taus().size();
        int nl = r.levels().size();
        double[] pShrink = new double[nt];
        double[] pGrow = new double[nt];
        double[] pEquiv = new double[nt];
        double[] pBeyond = new double[nt];
        StringBuilder ev1 = new StringBuilder();
        StringBuilder ev2 = new StringBuilder();
        int minSeeds = Integer.MAX_VALUE;
        for (int t = 0; t < nt; t++) {
            double[] hsq = new double[nl];
            double[] bias = new double[nl];
            double[] se = new double[nl];
            for (int i = 0; i < nl; i++) {
                Row row = row(r, i, t);
                hsq[i] = row.bandwidth() * row.bandwidth();
                bias[i] = row.bias();
                se[i] = row.biasSe();
                minSeeds = Math.min(minSeeds, row.seeds());
            }
            double g = r.gibbs().capMass()[t];
            double[] first = Arrays.stream(r.levels().get(0).capMass()[t]).map(x -> x - g).toArray();
            double[] last = Arrays.stream(r.levels().get(nl - 1).capMass()[t]).map(x -> x - g).toArray();
            HypothesisTests.Welch w = HypothesisTests.welch(first, last, HypothesisTests.Direction.INCREASING);
            pShrink[t] = w.test().pExpected();
            pGrow[t] = w.test().pOpposite();
            RobustHypothesisTests.Line line = RobustHypothesisTests.weightedLine(hsq, bias, se);
            int df = Math.max(0, minSeedsAt(r, t) - 1);
            RobustHypothesisTests.Equivalence eq = RobustHypothesisTests.tEquivalence(line.a(), line.seA(), df, c.margin());
            pEquiv[t] = eq.pEquivalent();
            pBeyond[t] = eq.pBeyond();
            double half = RobustHypothesisTests.tHalfWidth(line.seA(), df);
            String tau = UnimodalGibbs.fmtTau(c.taus().get(t));
            ev1.append(t == 0 ? "" : "; ").append("tau=").append(tau).append(": bias ");
            for (int i = 0; i < nl; i++) {
                ev1.append(i == 0 ? "" : " -> ").append(String.format(java.util.Locale.ROOT, "%+.4f", bias[i]));
            }
            ev1.append(" (h = ").append(c.bandwidths().get(0)).append(" .. ").append(c.bandwidths().get(nl - 1))
                    .append("), Welch difference ").append(Outputs.f(w.difference(), 4)).append(", p = ").append(HypothesisTests.p(pShrink[t]))
                    .append(", slope ").append(Outputs.f(line.b(), 3)).append(" per unit h^2");
            ev2.append(t == 0 ? "" : "; ").append("tau=").append(tau).append(": bias at h = 0 ")
                    .append(String.format(java.util.Locale.ROOT, "%+.4f", line.a())).append(", 90% CI [")
                    .append(Outputs.f(line.a() - half, 4)).append(", ").append(Outputs.f(line.a() + half, 4)).append("] (df ").append(df)
                    .append("), equivalence p = ").append(HypothesisTests.p(pEquiv[t]));
        }
        List<Claim> out = new ArrayList<>();
        boolean allShrink = Arrays.stream(pShrink).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean grows = Arrays.stream(HypothesisTests.holm(pGrow)).anyMatch(p -> p < HypothesisTests.ALPHA);
        out.add(new Claim("The cap-mass bias of the particle objective shrinks as the KDE bandwidth h falls (M scaled with 1/h^2).",
                source,
                "at every tau, Welch's one-sided test of mean bias at the largest h above that at the smallest h, level " + HypothesisTests.ALPHA
                        + " (every tau must reject); NOT SUPPORTED when some tau shows the opposite significantly (Holm)",
                allShrink ? Claim.Verdict.SUPPORTED : grows ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE, ev1.toString()));
        boolean allEquiv = minSeeds >= 2 && Arrays.stream(pEquiv).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean beyond = minSeeds >= 2 && Arrays.stream(HypothesisTests.holm(pBeyond)).anyMatch(p -> p < HypothesisTests.ALPHA);
        out.add(new Claim("The cap-mass bias extrapolated to h = 0 is consistent with zero (the particles track Gibbs in the limit).",
                source,
                "weighted least-squares fit bias = a + b h^2 over the levels (weights 1/SE^2), a's 90% t-interval with min(seeds) - 1 "
                        + "degrees of freedom; SUPPORTED when at every tau it lies within +-" + c.margin() + " (two one-sided tests, level "
                        + HypothesisTests.ALPHA + "); NOT SUPPORTED when at some tau a lies beyond the margin significantly (Holm); "
                        + "INCONCLUSIVE otherwise, and with fewer than 2 seeds per level",
                allEquiv ? Claim.Verdict.SUPPORTED : beyond ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE, ev2.toString()));
        return out;
    }

    static int minSeedsAt(GibbsLimitResult r, int t) {
        int n = Integer.MAX_VALUE;
        for (int i = 0; i < r.levels().size(); i++) {
            n = Math.min(n, row(r, i, t).seeds());
        }
        return n;
    }

    static Row row(GibbsLimitResult r, int level, int t) {
        return r.rows().get(level * r.config().taus().size() + t);
    }

    /** Writes gibbs_limit.json, gibbs_limit.csv, runs.csv, bias_vs_h2.png and summary.md. */
    public static Map<String, Object> write(GibbsLimitResult r, Path dir) {
        GibbsLimitConfig c = r.config();
        List<Claim> claims = claims(r);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "gibbs-limit");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("seconds", r.seconds());
        doc.put("gibbs", Outputs.inOrder("taus", r.gibbs().taus(), "cap_mass", r.gibbs().capMass(), "cap_mass_se", r.gibbs().capMassSe()));
        doc.put("rows", r.rows());
        doc.put("levels", r.levels());
        doc.put("claims", claims);
        Json.write(dir.resolve("gibbs_limit.json"), doc);
        List<Object[]> rows = new ArrayList<>();
        for (Row x : r.rows()) {
            rows.add(new Object[] {x.bandwidth(), x.particles(), x.tau(), x.seeds(), x.meanCap(), x.sdCap(), x.gibbs(), x.bias(), x.biasSe()});
        }
        Outputs.csv(dir.resolve("gibbs_limit.csv"), List.of("h", "particles", "tau", "seeds", "trained_cap_mean", "trained_cap_sd", "gibbs",
                "bias", "bias_se"), rows);
        List<Object[]> runs = new ArrayList<>();
        for (Level l : r.levels()) {
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
        for (Row x : r.rows()) {
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

    static void figure(GibbsLimitResult r, Path dir) {
        GibbsLimitConfig c = r.config();
        XYChart chart = Figures.lineChart("Cap-mass bias against h²", "h² (KDE bandwidth squared, rad²)", "trained − Gibbs cap mass");
        int nl = r.levels().size();
        for (int t = 0; t < c.taus().size(); t++) {
            double[] x = new double[nl];
            double[] y = new double[nl];
            double[] e = new double[nl];
            for (int i = 0; i < nl; i++) {
                Row row = row(r, i, t);
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
