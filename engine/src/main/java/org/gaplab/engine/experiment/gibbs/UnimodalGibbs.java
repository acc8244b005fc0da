package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.core.Seeds;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.train.TrainingListener;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.RandomStreams;

import java.util.Arrays;
import java.util.List;

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
    public record UnimodalGibbsResult(UnimodalGibbsConfig config, String device, double seconds, GibbsReference.Estimate gibbs,
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

    public static String fmtTau(double tau) {
        return new java.math.BigDecimal(tau).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** Cap mass of the uniform law: the two caps' area fraction, {@code 1 - cos eps} when they do not overlap. */
    public static double uniformCapMass(double eps) {
        return 1 - Math.cos(eps);
    }

}
