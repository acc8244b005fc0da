package org.gaplab.engine.experiment.gibbs;

import org.gaplab.engine.measure.Moments;
import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outputs of unimodal-gibbs: {@code unimodal_gibbs.json}, the CSV tables, the figures and
 * {@code summary.md}, and reading an earlier run's JSON back ({@code --from}).
 */
public final class UnimodalGibbsReport {
    private UnimodalGibbsReport() {}

    /**
     * Reads back what {@link #write} wrote, so that a long run's tables, figures and verdicts can be
     * rewritten by a later version without training again.
     *
     * @param json an earlier run's {@code unimodal_gibbs.json}
     * @return the result it holds (the Gibbs reference without its cell masses, which writing does not use)
     */
    public static UnimodalGibbs.UnimodalGibbsResult read(Path json) {
        com.fasterxml.jackson.databind.JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(json.toFile());
        } catch (java.io.IOException e) {
            throw new UserException("cannot read " + json + ": " + e.getMessage(), e);
        }
        if (doc == null || !"unimodal-gibbs".equals(doc.path("experiment").asText()) || !doc.has("kl")
                || !doc.get("kl").has("floor_per_repeat")) {
            throw new UserException(json + " is not the output of a unimodal-gibbs run of this version "
                    + "(it needs experiment = unimodal-gibbs and kl.floor_per_repeat)");
        }
        try {
            UnimodalGibbsConfig c = Json.MAPPER.treeToValue(doc.get("config"), UnimodalGibbsConfig.class);
            com.fasterxml.jackson.databind.JsonNode g = doc.get("gibbs");
            double[] taus = Json.MAPPER.treeToValue(doc.get("taus"), double[].class);
            GibbsReference.Estimate gibbs = new GibbsReference.Estimate(taus, Json.MAPPER.treeToValue(g.get("cap_mass"), double[].class),
                    Json.MAPPER.treeToValue(g.get("cap_mass_se"), double[].class),
                    Json.MAPPER.treeToValue(g.get("log_partition"), double[].class), new double[taus.length][0], g.get("points").asLong());
            return new UnimodalGibbs.UnimodalGibbsResult(c, doc.get("device").asText(), doc.get("wall_seconds").asDouble(), gibbs,
                    Json.MAPPER.treeToValue(doc.get("trained").get("cap_mass_per_seed"), double[][].class),
                    Json.MAPPER.treeToValue(doc.get("kl").get("particles_per_seed"), double[][].class),
                    Json.MAPPER.treeToValue(doc.get("kl").get("floor_per_repeat"), double[][].class),
                    Json.MAPPER.treeToValue(doc.get("trained").get("final_objective_per_seed"), double[][].class),
                    Json.MAPPER.treeToValue(doc.get("representative_particles"), double[][][].class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw new UserException(json + " is damaged or incomplete: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code unimodal_gibbs.json}, {@code cap_mass.csv}, {@code kl.csv}, the figures
     * {@code cap_mass.*}, {@code kl.*} and {@code sphere_tau_<tau>.*}, and {@code summary.md}.
     *
     * @param r the result
     * @param out the output directory
     * @return the JSON document written
     */
    public static Map<String, Object> write(UnimodalGibbs.UnimodalGibbsResult r, Path out) {
        UnimodalGibbsConfig c = r.config();
        double[] taus = c.tauArray();
        List<Claim> claims = UnimodalGibbsClaims.claims(r);
        int n = taus.length;
        double[] capMean = new double[n];
        double[] capStd = new double[n];
        double[] klMean = new double[n];
        double[] klStd = new double[n];
        double[] floorMean = new double[n];
        double[] floorStd = new double[n];
        List<Object[]> capRows = new ArrayList<>();
        List<Object[]> klRows = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            capMean[t] = Moments.mean(r.capMass()[t]);
            capStd[t] = Moments.populationStd(r.capMass()[t]);
            klMean[t] = Moments.mean(r.kl()[t]);
            klStd[t] = Moments.populationStd(r.kl()[t]);
            floorMean[t] = Moments.mean(r.klFloor()[t]);
            floorStd[t] = Moments.populationStd(r.klFloor()[t]);
            capRows.add(new Object[] {taus[t], capMean[t], capStd[t], Moments.standardError(r.capMass()[t]), r.gibbs().capMass()[t]});
            klRows.add(new Object[] {taus[t], klMean[t], klStd[t], floorMean[t], floorStd[t]});
        }
        Map<String, Object> doc = Outputs.document("unimodal-gibbs", c, r.device());
        doc.put("wall_seconds", r.seconds());
        doc.put("taus", taus);
        doc.put("uniform_cap_mass", UnimodalGibbs.uniformCapMass(c.capRadius()));
        Map<String, Object> gibbs = new LinkedHashMap<>();
        gibbs.put("method", "Monte Carlo, uniform points on S^2 weighted by exp(-U/tau)");
        gibbs.put("points", r.gibbs().points());
        gibbs.put("cap_mass", r.gibbs().capMass());
        gibbs.put("cap_mass_se", r.gibbs().capMassSe());
        gibbs.put("log_partition", r.gibbs().logPartition());
        doc.put("gibbs", gibbs);
        Map<String, Object> trained = new LinkedHashMap<>();
        trained.put("cap_mass_mean", capMean);
        trained.put("cap_mass_std", capStd);
        trained.put("cap_mass_per_seed", r.capMass());
        trained.put("final_objective_per_seed", r.objective());
        doc.put("trained", trained);
        Map<String, Object> kl = new LinkedHashMap<>();
        SphereBins bins = SphereBins.forPotential(c.potential());
        kl.put("estimator", "binned KL(p || rho*) = sum_b p_b log(p_b / rho*_b) over " + bins.cells() + " equal-area cells ("
                + bins.bands() + " bands of equal height along (m1 + m2)/|m1 + m2| x " + bins.sectors()
                + " sectors), p the particles' cell fractions, rho*_b by the same Monte Carlo; a lower bound on the"
                + " true KL; nats");
        kl.put("particles_mean", klMean);
        kl.put("particles_std", klStd);
        kl.put("particles_per_seed", r.kl());
        kl.put("floor_note", "the same estimator on M exact samples of rho* (rejection sampling): what a perfect fit scores,"
                + " about (occupied cells - 1) / (2M)");
        kl.put("floor_mean", floorMean);
        kl.put("floor_std", floorStd);
        kl.put("floor_per_repeat", r.klFloor());
        doc.put("kl", kl);
        doc.put("representative_seed", c.firstSeed());
        doc.put("representative_particles", r.representative());
        doc.put("claims", claims);
        Json.write(out.resolve("unimodal_gibbs.json"), doc);
        Outputs.csv(out.resolve("cap_mass.csv"),
                List.of("tau", "trained_mean", "trained_std", "trained_sem", "gibbs"), capRows);
        Outputs.csv(out.resolve("kl.csv"), List.of("tau", "kl_particles_mean", "kl_particles_std", "kl_floor_mean",
                "kl_floor_std"), klRows);
        capMassFigure(taus, capMean, capStd, r.gibbs().capMass(), UnimodalGibbs.uniformCapMass(c.capRadius()), c, out);
        klFigure(taus, klMean, klStd, floorMean, floorStd, out);
        for (int t = 0; t < n; t++) {
            XYChart chart = SphereFigure.chart("Particles over U(z), τ = " + UnimodalGibbs.fmtTau(taus[t]) + " (seed " + c.firstSeed()
                    + ", M = " + c.particles() + ")", c.potential(), r.representative()[t]);
            Figures.save(chart, out.resolve("sphere_tau_" + UnimodalGibbs.fmtTau(taus[t]).replace('.', '_')));
        }
        StringBuilder table = new StringBuilder("## Numbers\n\n| τ | trained cap mass (mean ± std) | Gibbs cap mass | KL(particles‖ρ*) | KL floor (exact ρ* samples) |\n|---|---|---|---|---|\n");
        for (int t = 0; t < n; t++) {
            table.append("| ").append(UnimodalGibbs.fmtTau(taus[t])).append(" | ").append(Outputs.f(capMean[t], 4)).append(" ± ")
                    .append(Outputs.f(capStd[t], 4)).append(" | ").append(Outputs.f(r.gibbs().capMass()[t], 4)).append(" | ")
                    .append(Outputs.f(klMean[t], 3)).append(" ± ").append(Outputs.f(klStd[t], 3)).append(" | ")
                    .append(Outputs.f(floorMean[t], 3)).append(" ± ").append(Outputs.f(floorStd[t], 3)).append(" |\n");
        }
        table.append("\nUniform law on S^2: cap mass ").append(Outputs.f(UnimodalGibbs.uniformCapMass(c.capRadius()), 4))
                .append(". KL is binned over equal-area cells (see the JSON); compare it with its floor, the score of M exact Gibbs samples.\n")
                .append("\nDevice ").append(r.device()).append(", ").append(Outputs.f(r.seconds(), 1)).append(" s.");
        Outputs.summary(out.resolve("summary.md"), "Unimodal Gibbs equilibrium on S^2",
                "M = " + c.particles() + " particles, Adam lr " + c.lr() + ", " + c.steps() + " steps, noise sd " + c.noiseSd()
                        + " on v after each step, geodesic KDE h = " + c.bandwidth() + "; two-well U with kappa "
                        + c.potential().kappa() + ", w " + c.potential().weight() + "; cap radius " + c.capRadius()
                        + " rad; tau in " + c.taus() + "; " + c.seeds() + " seeds; Gibbs reference by Monte Carlo with "
                        + r.gibbs().points() + " uniform points.",
                claims, UnimodalGibbsClaims.deviations(r) + table);
        return doc;
    }

    static void capMassFigure(double[] taus, double[] mean, double[] std, double[] gibbs, double uniform,
            UnimodalGibbsConfig c, Path out) {
        XYChart chart = Figures.lineChart("Cap mass vs τ (trained: mean ± std over " + c.seeds() + " seeds)",
                "temperature τ", "cap mass P(min_k d(z, m_k) ≤ ε), ε = " + c.capRadius());
        chart.getStyler().setXAxisLogarithmic(true);
        Figures.addLine(chart, "Gibbs ρ* ∝ exp(−U/τ) (Monte Carlo)", taus, gibbs, null);
        Figures.addLine(chart, "trained particles", taus, mean, std);
        double[] flat = new double[taus.length];
        Arrays.fill(flat, uniform);
        XYSeries u = Figures.addLine(chart, "uniform on S²", taus, flat, null);
        u.setMarker(SeriesMarkers.NONE);
        u.setLineColor(Color.GRAY);
        Figures.save(chart, out.resolve("cap_mass"));
    }

    static void klFigure(double[] taus, double[] mean, double[] std, double[] floor, double[] floorStd, Path out) {
        XYChart chart = Figures.lineChart("KL estimate between particles and ρ* vs τ", "temperature τ",
                "binned KL(ρ_particles ‖ ρ*) [nats]");
        chart.getStyler().setXAxisLogarithmic(true);
        Figures.addLine(chart, "trained particles", taus, mean, std);
        Figures.addLine(chart, "exact ρ* samples (estimator floor)", taus, floor, floorStd);
        Figures.save(chart, out.resolve("kl"));
    }
}
