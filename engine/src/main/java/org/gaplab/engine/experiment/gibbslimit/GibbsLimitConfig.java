package org.gaplab.engine.experiment.gibbslimit;

import org.gaplab.core.Checks;
import org.gaplab.engine.experiment.gibbs.TwoWellPotential;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbsConfig;

import java.util.List;

/**
 * Settings of the Gibbs-limit study (docs/theory.md section 8.1, "gibbs-limit"): the unimodal Gibbs
 * runs of {@link UnimodalGibbsConfig} repeated at several KDE bandwidths, each with its own particle
 * count, so that the cap-mass bias can be followed towards h = 0.
 *
 * @param bandwidths h per level, strictly descending (0.35, 0.25, 0.175)
 * @param particles M per level (768, 1536, 3072: M h^2 about constant)
 * @param taus temperatures, strictly descending, each above every h^2 (2.5, 1, 0.5)
 * @param seeds seeds per (level, tau)
 * @param steps Adam steps per run
 * @param lr Adam learning rate (0.05)
 * @param noiseSd noise sd added to v after each step (0.06)
 * @param potential the two-well potential
 * @param capRadius cap radius in radians (0.5)
 * @param mcPoints Monte Carlo points of the Gibbs reference
 * @param mcChunk Monte Carlo points per device chunk
 * @param margin delta0, the equivalence margin of the h = 0 extrapolated bias (0.004)
 */
public record GibbsLimitConfig(List<Double> bandwidths, List<Integer> particles, List<Double> taus, int seeds, int steps, double lr,
        double noiseSd, TwoWellPotential potential, double capRadius, long mcPoints, int mcChunk, double margin) {
    /** Validates. */
    public GibbsLimitConfig {
        Checks.notNull(bandwidths, "bandwidths");
        Checks.notNull(particles, "particles");
        Checks.notNull(taus, "taus");
        bandwidths = List.copyOf(bandwidths);
        particles = List.copyOf(particles);
        taus = List.copyOf(taus);
        Checks.check(bandwidths.size() >= 2, "bandwidths", "needs at least two levels, got " + bandwidths);
        Checks.check(particles.size() == bandwidths.size(), "particles",
                "needs one particle count per bandwidth (" + bandwidths.size() + "), got " + particles);
        for (int i = 0; i < bandwidths.size(); i++) {
            Checks.positive(bandwidths.get(i), "bandwidths");
            Checks.check(i == 0 || bandwidths.get(i) < bandwidths.get(i - 1), "bandwidths", "must be strictly descending, got " + bandwidths);
            Checks.check(particles.get(i) >= 2, "particles", "every count must be >= 2, got " + particles);
        }
        Checks.check(!taus.isEmpty(), "taus", "must not be empty");
        for (int i = 0; i < taus.size(); i++) {
            Checks.positive(taus.get(i), "taus");
            Checks.check(i == 0 || taus.get(i) < taus.get(i - 1), "taus", "must be strictly descending, got " + taus);
            Checks.check(taus.get(i) > bandwidths.get(0) * bandwidths.get(0), "taus",
                    "every tau must exceed the largest h^2 = " + String.format(java.util.Locale.ROOT, "%.4g", bandwidths.get(0) * bandwidths.get(0))
                            + " (the KDE must resolve it), got " + taus);
        }
        Checks.positive(seeds, "seeds");
        Checks.positive(steps, "steps");
        Checks.positive(lr, "lr");
        Checks.nonNegative(noiseSd, "noiseSd");
        Checks.notNull(potential, "potential");
        Checks.check(capRadius > 0 && capRadius <= Math.PI, "capRadius", "must be in (0, pi], got " + capRadius);
        Checks.positive(mcPoints, "mcPoints");
        Checks.positive(mcChunk, "mcChunk");
        Checks.positive(margin, "margin");
    }

    /** @return the full study: 3 levels x 3 taus x 10 seeds x 5000 steps (docs/theory.md section 8.1) */
    public static GibbsLimitConfig paperDefault() {
        UnimodalGibbsConfig g = UnimodalGibbsConfig.paperDefault();
        return new GibbsLimitConfig(List.of(0.35, 0.25, 0.175), List.of(768, 1536, 3072), List.of(2.5, 1.0, 0.5), 10, g.steps(), g.lr(),
                g.noiseSd(), g.potential(), g.capRadius(), g.mcPoints(), g.mcChunk(), 0.004);
    }

    /** @return a run of seconds: two small levels, one tau, 2 seeds, 100 steps */
    public static GibbsLimitConfig quick() {
        UnimodalGibbsConfig g = UnimodalGibbsConfig.paperDefault();
        return new GibbsLimitConfig(List.of(0.35, 0.25), List.of(96, 192), List.of(1.0), 2, 100, g.lr(), g.noiseSd(), g.potential(),
                g.capRadius(), 200_000, 100_000, 0.004);
    }

    /** @return the unimodal-gibbs config of level {@code i} */
    public UnimodalGibbsConfig level(int i) {
        int m = particles.get(i);
        return new UnimodalGibbsConfig(m, steps, lr, noiseSd, bandwidths.get(i), taus, seeds, 0, potential, capRadius, mcPoints, mcChunk,
                UnimodalGibbsConfig.defaultRunsPerChunk(m));
    }

    /** @return a copy with another seed count */
    public GibbsLimitConfig withSeeds(int n) {
        return new GibbsLimitConfig(bandwidths, particles, taus, n, steps, lr, noiseSd, potential, capRadius, mcPoints, mcChunk, margin);
    }

    /** @return a copy with another step count */
    public GibbsLimitConfig withSteps(int n) {
        return new GibbsLimitConfig(bandwidths, particles, taus, seeds, n, lr, noiseSd, potential, capRadius, mcPoints, mcChunk, margin);
    }
}
