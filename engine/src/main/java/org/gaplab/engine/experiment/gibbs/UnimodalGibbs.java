package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.core.Json;
import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Inference;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustInference;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.train.TrainingListener;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.RandomStreams;
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
 * The unimodal Gibbs equilibrium on S^2 (docs/theory.md sections 4 and 7). M free particles
 * {@code z_i = v_i / ||v_i||} minimise the particle form of {@code F(rho) = (1/tau) int U rho - H(rho)},
 *
 * <pre>
 *   J(v) = 1/M sum_i U(z_i) / tau + 1/M sum_i log rho_hat(z_i)      ({@link SphereKde#logGeodesicKde}),
 * </pre>
 *
 * with Adam on v and Gaussian noise added to v after each step; the gradient is closed form
 * ({@link #objectiveAndGradient}), with no autograd graph over the {@code M x M} pairs. The theory's minimiser of F is
 * the Gibbs law {@code rho* ~ exp(-U/tau)}; the run compares the particles' cap mass (within eps of
 * the nearer well) with that of rho* ({@link GibbsReference}) and estimates KL(particles || rho*).
 *
 * <p>All (temperature, seed) runs are stacked along a leading axis and trained as one computation
 * per chunk of {@code runsPerChunk} runs. Run (tau, seed s) draws its initial v from
 * {@code (s, "gibbs.init")} and its noise for steps {@code [bL, (b+1)L)} from
 * {@code (s, "gibbs.noise", b)}, so its trajectory does not depend on the chunking (and, as in the
 * authors' script, one seed starts from the same v at every temperature).
 */
public final class UnimodalGibbs {
    /**
     * The equivalence margin of "tracks Gibbs" in cap mass (docs/theory.md section 8.1): the KDE
     * objective's own minimiser at h = 0.35 lies 0.005-0.011 above Gibbs, so deviations within 0.015
     * are what the estimator alone produces at that bandwidth.
     */
    static final double TRACKING_MARGIN = 0.015;
    /** Steps of noise generated per block (one reseed per run per block). */
    static final int NOISE_BLOCK = 50;
    private static final org.apache.logging.log4j.Logger LOG =
            org.apache.logging.log4j.LogManager.getLogger(UnimodalGibbs.class);

    private UnimodalGibbs() {}

    /**
     * Everything the run measured.
     *
     * @param config the settings
     * @param device where it ran
     * @param seconds wall time
     * @param gibbs the Monte Carlo reference
     * @param capMass trained cap mass, {@code [tau][seed]}
     * @param kl KL(particles || rho*) estimate, {@code [tau][seed]}
     * @param klFloor the same estimator on M exact samples of rho*, {@code [tau][repeat]}
     * @param objective final training objective J, {@code [tau][seed]}
     * @param representative final particles of the first seed, {@code [tau][M][3]}
     */
    public record Result(UnimodalGibbsConfig config, String device, double seconds, GibbsReference.Estimate gibbs,
            double[][] capMass, double[][] kl, double[][] klFloor, double[][] objective, double[][][] representative) {}

    /** The stacked objective J per run, {@code [K]}, for {@code v: [K, M, 3]} and {@code invTau: [K]}. */
    static NDArray objective(NDArray v, NDArray invTau, TwoWellPotential u, double h) {
        return objective(v, invTau, u, h, SphereKde.CLAMP);
    }

    /** {@link #objective(NDArray, NDArray, TwoWellPotential, double)} with another acos clamp. */
    static NDArray objective(NDArray v, NDArray invTau, TwoWellPotential u, double h, double clamp) {
        NDArray z = v.div(v.norm(new int[] {2}, true).add(1e-12));
        NDArray alignment = u.value(z).mean(new int[] {1}).mul(invTau);
        return alignment.add(SphereKde.logGeodesicKde(z, h, clamp).mean(new int[] {1}));
    }

    /**
     * {@link #objective} and its gradient with respect to v in closed form, without autograd:
     * with {@code z = v / (|v| + 1e-12)} and {@code g = dJ/dz = invTau/M grad U(z) + dE/dz}
     * ({@link TwoWellPotential#gradient}, {@link SphereKde#meanLogGeodesicKdeAndGradient}),
     *
     * <pre>
     *   dJ/dv = g / (|v| + 1e-12) - z <z, g> / |v|.
     * </pre>
     *
     * @param v particles {@code [K, M, 3]}
     * @param invTau 1/tau per run {@code [K]}
     * @param u the potential
     * @param h KDE bandwidth
     * @return J {@code [K]} and dJ/dv {@code [K, M, 3]}, on v's manager
     */
    static SphereKde.ValueAndGradient objectiveAndGradient(NDArray v, NDArray invTau, TwoWellPotential u, double h) {
        long m = v.getShape().get(1);
        NDArray norm = v.norm(new int[] {2}, true);
        NDArray z = v.div(norm.add(1e-12));
        SphereKde.ValueAndGradient entropy = SphereKde.meanLogGeodesicKdeAndGradient(z, h);
        NDArray value = u.value(z).mean(new int[] {1}).muli(invTau).addi(entropy.value());
        NDArray gz = u.gradient(z).muli(invTau.reshape(-1, 1, 1).div(m)).addi(entropy.gradient());
        NDArray radial = z.mul(gz).sum(new int[] {2}, true).divi(norm);
        NDArray gv = gz.divi(norm.addi(1e-12)).subi(z.muli(radial));
        return new SphereKde.ValueAndGradient(value, gv);
    }

    /** Trains runs {@code [from, to)} (run r is tau r / seeds, seed r % seeds) and measures them. */
    static long trainChunk(NDManager root, UnimodalGibbsConfig c, GibbsReference.Estimate gibbs, SphereBins bins,
            int from, int to, double[][] cap, double[][] kl, double[][] obj, double[][][] rep, Progress progress, long done) {
        int k = to - from;
        long[] seeds = new long[k];
        double[] invTau = new double[k];
        for (int r = 0; r < k; r++) {
            int t = (from + r) / c.seeds();
            seeds[r] = c.firstSeed() + (from + r) % c.seeds();
            invTau[r] = 1 / c.taus().get(t);
        }
        try (NDManager chunk = root.newSubManager()) {
            NDList init = new NDList();
            for (long s : seeds) {
                init.add(RandomStreams.draw(chunk, Seeds.derive(s, "gibbs.init", 0),
                        () -> chunk.randomNormal(new Shape(c.particles(), 3), DataType.FLOAT32)));
            }
            NDArray v = NDArrays.stack(init);
            NDArray lastObjective;
            try (Particles particles = new Particles(chunk, c, v, seeds, invTau)) {
                // the training loop with one listener, progress at each drain
                TrainingLoop.run(particles, c.steps(), NOISE_BLOCK, List.of(TrainingListener.atIntervals((loop, im) ->
                        progress.update(done + im.step() * k, "runs " + from + "-" + (to - 1) + " of " + obj.length * obj[0].length))));
                lastObjective = particles.lastObjective;
            }
            NDArray z = v.div(v.norm(new int[] {2}, true).add(1e-12)).stopGradient();
            // host syncs: once per chunk, after training
            float[] nonFinite = z.isNaN().logicalOr(z.isInfinite()).toType(DataType.FLOAT32, false)
                    .sum(new int[] {1, 2}).toFloatArray();
            // a diverged run must not break the sweep's binning: its numbers become NaN below, others stay valid
            z = NDArrays.where(z.isNaN().logicalOr(z.isInfinite()), z.zerosLike().add(1 / Math.sqrt(3)), z);
            float[] capMass = c.potential().inCaps(z, c.capRadius()).mean(new int[] {1}).toFloatArray();
            double[] cells = bins.oneHot(z).mean(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
            float[] objRun = lastObjective.toFloatArray();
            float[] zHost = z.toFloatArray();
            for (int r = 0; r < k; r++) {
                int t = (from + r) / c.seeds();
                int s = (from + r) % c.seeds();
                boolean diverged = nonFinite[r] > 0;
                if (diverged) {
                    LOG.warn("run tau={} seed={} has {} non-finite particle coordinates; its cap mass and KL are NaN",
                            c.taus().get(t), seeds[r], (long) nonFinite[r]);
                }
                cap[t][s] = diverged ? Double.NaN : capMass[r];
                kl[t][s] = diverged ? Double.NaN : SphereBins.kl(Arrays.copyOfRange(cells, r * bins.cells(),
                        (r + 1) * bins.cells()), gibbs.binMass()[t]);
                obj[t][s] = objRun[r];
                if (s == 0) {
                    rep[t] = new double[c.particles()][3];
                    for (int i = 0; i < c.particles(); i++) {
                        for (int d = 0; d < 3; d++) {
                            rep[t][i][d] = zHost[(r * c.particles() + i) * 3 + d];
                        }
                    }
                }
            }
        }
        return done + (long) k * c.steps();
    }

    /** The binned KL of {@code repeats} independent sets of M exact Gibbs samples at one temperature. */
    static double[] klFloor(NDManager root, UnimodalGibbsConfig c, GibbsReference.Estimate gibbs, SphereBins bins,
            int t, int repeats) {
        double[] out = new double[repeats];
        try (NDManager scope = root.newSubManager()) {
            for (int r = 0; r < repeats; r++) {
                NDArray z = GibbsReference.sample(scope, c.potential(), c.taus().get(t), c.particles(),
                        Seeds.derive(c.firstSeed() + r, "gibbs.floor", t));
                out[r] = SphereBins.kl(bins.oneHot(z).mean(new int[] {0}).toDoubleArray(), gibbs.binMass()[t]);
            }
        }
        return out;
    }

    /**
     * Whether the training KDE can resolve the Gibbs law at {@code tau}: each well of rho* is about
     * a von Mises-Fisher cap of concentration 1/tau, angular width {@code sqrt(tau)}, and a KDE of
     * bandwidth h smooths away structure narrower than h. Below {@code tau = h^2} the entropy term
     * of the particle objective cannot hold the particles at the Gibbs spread, so they
     * over-concentrate; such temperatures are reported as a deviation, not judged as tracking.
     */
    public static boolean resolved(double tau, double bandwidth) {
        return Math.sqrt(tau) > bandwidth;
    }

    /**
     * Checks the paper's claims for this experiment (docs/theory.md sections 4 and 7).
     *
     * @param r a result
     * @return the claims with verdicts
     */
    public static List<Claim> claims(Result r) {
        UnimodalGibbsConfig c = r.config();
        double[] taus = c.tauArray();
        int n = taus.length;
        double[] g = r.gibbs().capMass();
        double uniform = uniformCapMass(c.capRadius());
        String source = "paper, section 4 (the Gibbs equilibrium of the unimodal regime) and its two-well figure on S^2";
        List<Claim> out = new ArrayList<>();

        List<Integer> judged = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            if (resolved(taus[t], c.bandwidth())) {
                judged.add(t);
            }
        }
        double[] est = new double[judged.size()];
        double[] ref = new double[judged.size()];
        double[] se = new double[judged.size()];
        double[] pEquivalent = new double[judged.size()];
        double[] pBeyond = new double[judged.size()];
        boolean uniformOutside = false;
        StringBuilder ev = new StringBuilder();
        int seeds = judged.stream().mapToInt(t -> (int) Arrays.stream(r.capMass()[t]).filter(Double::isFinite).count()).min().orElse(0);
        for (int i = 0; i < judged.size(); i++) {
            int t = judged.get(i);
            double[] cap = Arrays.stream(r.capMass()[t]).filter(Double::isFinite).toArray();
            est[i] = Stats.mean(cap);
            ref[i] = g[t];
            se[i] = cap.length < 2 ? Double.NaN : Math.hypot(Stats.sem(cap), r.gibbs().capMassSe()[t]);
            RobustInference.Equivalence e = RobustInference.tEquivalence(est[i] - ref[i], se[i], cap.length - 1, TRACKING_MARGIN);
            pEquivalent[i] = e.pEquivalent();
            pBeyond[i] = e.pBeyond();
            uniformOutside |= Math.abs(uniform - ref[i]) > TRACKING_MARGIN;
            double half = RobustInference.tHalfWidth(se[i], cap.length - 1);
            ev.append("tau=").append(fmtTau(taus[t])).append(": ").append(Outputs.f(est[i], 3)).append(" vs ").append(Outputs.f(ref[i], 3))
                    .append(" (difference ").append(String.format(java.util.Locale.ROOT, "%+.4f", est[i] - ref[i])).append(", 90% CI [")
                    .append(Outputs.f(est[i] - ref[i] - half, 4)).append(", ").append(Outputs.f(est[i] - ref[i] + half, 4))
                    .append("], KL ").append(Outputs.f(Stats.mean(r.kl()[t]), 3)).append(" vs exact-sample floor ")
                    .append(Outputs.f(Stats.mean(r.klFloor()[t]), 3)).append("); ");
        }
        boolean equivalent = !judged.isEmpty() && seeds >= 2 && Arrays.stream(pEquivalent).allMatch(p -> p < Inference.ALPHA);
        boolean beyond = seeds >= 2 && Arrays.stream(Inference.holm(pBeyond)).anyMatch(p -> p < Inference.ALPHA);
        Claim.Verdict tracks = equivalent && uniformOutside ? Claim.Verdict.SUPPORTED
                : beyond ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE;
        out.add(new Claim("The trained cap mass tracks the Gibbs cap mass, within the bias of the KDE estimator at h = " + c.bandwidth() + ".",
                source,
                "equivalence (docs/theory.md section 8.1): at every tau the KDE resolves (sqrt(tau) > h), the 90% t-interval of the "
                        + "seed-mean cap mass minus Gibbs (seeds - 1 degrees of freedom; se of seeds and Monte Carlo) lies within +-"
                        + TRACKING_MARGIN + ", the KDE objective's own bias at h = 0.35 with headroom (an intersection of level-" + Inference.ALPHA
                        + " tests, valid whatever the dependence of the taus, which share seeds), and a uniform cloud (cap mass "
                        + Outputs.f(uniform, 4) + ") lies outside the margin at some tau; NOT SUPPORTED when some tau deviates beyond the "
                        + "margin significantly (one-sided t, Holm across taus); the binned KL is reported, not deciding. The margin was set "
                        + "after the earlier reference run; the test of whether the bias is the estimator's is reproduce gibbs-limit",
                tracks, ev + "largest equivalence p = " + Inference.p(Arrays.stream(pEquivalent).max().orElse(1))
                        + ", smallest Holm p beyond the margin = " + Inference.p(Arrays.stream(Inference.holm(pBeyond)).min().orElse(1))));

        double[] x = new double[n * c.seeds()];
        double[] y = new double[x.length];
        long[] seed = new long[x.length];
        for (int t = 0; t < n; t++) {
            for (int s = 0; s < c.seeds(); s++) {
                x[t * c.seeds() + s] = taus[t];
                y[t * c.seeds() + s] = r.capMass()[t][s];
                seed[t * c.seeds() + s] = s;
            }
        }
        double[] logTau = Arrays.stream(x).map(Math::log).toArray();
        // per unit ln tau: on a linear tau axis the slope is the leverage of tau = 10 alone
        out.add(Inference.trendClaim("The trained cap mass rises as tau falls.", source, "cap mass", "ln tau", logTau, y, seed,
                Inference.Direction.DECREASING));
        return out;
    }

    /** @return the temperatures the KDE cannot resolve, with the cause, as summary lines (empty when none) */
    public static String deviations(Result r) {
        UnimodalGibbsConfig c = r.config();
        double[] taus = c.tauArray();
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < taus.length; t++) {
            if (!resolved(taus[t], c.bandwidth())) {
                sb.append("- tau = ").append(fmtTau(taus[t])).append(": trained cap mass ")
                        .append(Outputs.f(Stats.mean(r.capMass()[t]), 3)).append(" +- ").append(Outputs.f(Stats.sem(r.capMass()[t]), 3))
                        .append(" (SEM) against Gibbs ").append(Outputs.f(r.gibbs().capMass()[t], 3))
                        .append(". The Gibbs wells are about sqrt(tau) = ").append(Outputs.f(Math.sqrt(taus[t]), 2))
                        .append(" rad wide, narrower than the KDE bandwidth h = ").append(c.bandwidth())
                        .append(": the smoothed entropy term cannot hold the particles at that spread, so the finite-particle "
                                + "objective departs from Gibbs (a property of the estimator, not of the theory).\n");
            }
        }
        return sb.length() == 0 ? "" : "## Deviations (not judged as tracking)\n\n" + sb + "\n";
    }

    public static String fmtTau(double tau) {
        return new java.math.BigDecimal(tau).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** Cap mass of the uniform law: the two caps' area fraction, {@code 1 - cos eps} when they do not overlap. */
    public static double uniformCapMass(double eps) {
        return 1 - Math.cos(eps);
    }

    /**
     * Reads back what {@link #write} wrote, so that a long run's tables, figures and verdicts can be
     * rewritten by a later version without training again.
     *
     * @param json an earlier run's {@code unimodal_gibbs.json}
     * @return the result it holds (the Gibbs reference without its cell masses, which writing does not use)
     */
    public static Result read(Path json) {
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
            return new Result(c, doc.get("device").asText(), doc.get("wall_seconds").asDouble(), gibbs,
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
    public static Map<String, Object> write(Result r, Path out) {
        UnimodalGibbsConfig c = r.config();
        double[] taus = c.tauArray();
        List<Claim> claims = claims(r);
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
            capMean[t] = Stats.mean(r.capMass()[t]);
            capStd[t] = Stats.std(r.capMass()[t]);
            klMean[t] = Stats.mean(r.kl()[t]);
            klStd[t] = Stats.std(r.kl()[t]);
            floorMean[t] = Stats.mean(r.klFloor()[t]);
            floorStd[t] = Stats.std(r.klFloor()[t]);
            capRows.add(new Object[] {taus[t], capMean[t], capStd[t], Stats.sem(r.capMass()[t]), r.gibbs().capMass()[t]});
            klRows.add(new Object[] {taus[t], klMean[t], klStd[t], floorMean[t], floorStd[t]});
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "unimodal-gibbs");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("wall_seconds", r.seconds());
        doc.put("taus", taus);
        doc.put("uniform_cap_mass", uniformCapMass(c.capRadius()));
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
        capMassFigure(taus, capMean, capStd, r.gibbs().capMass(), uniformCapMass(c.capRadius()), c, out);
        klFigure(taus, klMean, klStd, floorMean, floorStd, out);
        for (int t = 0; t < n; t++) {
            XYChart chart = SphereFigure.chart("Particles over U(z), τ = " + fmtTau(taus[t]) + " (seed " + c.firstSeed()
                    + ", M = " + c.particles() + ")", c.potential(), r.representative()[t]);
            Figures.save(chart, out.resolve("sphere_tau_" + fmtTau(taus[t]).replace('.', '_')));
        }
        StringBuilder table = new StringBuilder("## Numbers\n\n| τ | trained cap mass (mean ± std) | Gibbs cap mass | KL(particles‖ρ*) | KL floor (exact ρ* samples) |\n|---|---|---|---|---|\n");
        for (int t = 0; t < n; t++) {
            table.append("| ").append(fmtTau(taus[t])).append(" | ").append(Outputs.f(capMean[t], 4)).append(" ± ")
                    .append(Outputs.f(capStd[t], 4)).append(" | ").append(Outputs.f(r.gibbs().capMass()[t], 4)).append(" | ")
                    .append(Outputs.f(klMean[t], 3)).append(" ± ").append(Outputs.f(klStd[t], 3)).append(" | ")
                    .append(Outputs.f(floorMean[t], 3)).append(" ± ").append(Outputs.f(floorStd[t], 3)).append(" |\n");
        }
        table.append("\nUniform law on S^2: cap mass ").append(Outputs.f(uniformCapMass(c.capRadius()), 4))
                .append(". KL is binned over equal-area cells (see the JSON); compare it with its floor, the score of M exact Gibbs samples.\n")
                .append("\nDevice ").append(r.device()).append(", ").append(Outputs.f(r.seconds(), 1)).append(" s.");
        Outputs.summary(out.resolve("summary.md"), "Unimodal Gibbs equilibrium on S^2",
                "M = " + c.particles() + " particles, Adam lr " + c.lr() + ", " + c.steps() + " steps, noise sd " + c.noiseSd()
                        + " on v after each step, geodesic KDE h = " + c.bandwidth() + "; two-well U with kappa "
                        + c.potential().kappa() + ", w " + c.potential().weight() + "; cap radius " + c.capRadius()
                        + " rad; tau in " + c.taus() + "; " + c.seeds() + " seeds; Gibbs reference by Monte Carlo with "
                        + r.gibbs().points() + " uniform points.",
                claims, deviations(r) + table);
        return doc;
    }

    private static void capMassFigure(double[] taus, double[] mean, double[] std, double[] gibbs, double uniform,
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

    private static void klFigure(double[] taus, double[] mean, double[] std, double[] floor, double[] floorStd, Path out) {
        XYChart chart = Figures.lineChart("KL estimate between particles and ρ* vs τ", "temperature τ",
                "binned KL(ρ_particles ‖ ρ*) [nats]");
        chart.getStyler().setXAxisLogarithmic(true);
        Figures.addLine(chart, "trained particles", taus, mean, std);
        Figures.addLine(chart, "exact ρ* samples (estimator floor)", taus, floor, floorStd);
        Figures.save(chart, out.resolve("kl"));
    }

}
