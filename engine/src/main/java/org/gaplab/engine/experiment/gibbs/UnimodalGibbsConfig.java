package org.gaplab.engine.experiment.gibbs;

import org.gaplab.core.Checks;

import java.util.List;

/**
 * Settings of the unimodal Gibbs experiment on S^2 (docs/theory.md section 7).
 *
 * @param particles M, free particles per run (768)
 * @param steps Adam steps (5000)
 * @param lr Adam learning rate (0.05)
 * @param noiseSd sd of the Gaussian noise added to v after each step (0.06)
 * @param bandwidth h of the training KDE in radians (0.35)
 * @param taus temperatures, descending (10, 5, 2.5, 1, 0.5, 0.2, 0.1)
 * @param seeds seeds per temperature (20)
 * @param firstSeed seed of the first run; seed i is {@code firstSeed + i} at every temperature
 * @param potential the two-well potential U
 * @param capRadius cap radius eps in radians (0.5)
 * @param mcPoints uniform Monte Carlo points for the Gibbs reference (2,000,000)
 * @param mcChunk Monte Carlo points per device chunk
 * @param runsPerChunk runs trained together as one stacked computation (bounds memory: each run
 *     holds a few M x M kernels; {@link #defaultRunsPerChunk} by default)
 */
public record UnimodalGibbsConfig(int particles, int steps, double lr, double noiseSd, double bandwidth, List<Double> taus,
        int seeds, long firstSeed, TwoWellPotential potential, double capRadius, long mcPoints, int mcChunk,
        int runsPerChunk) {

    /** Validates. */
    public UnimodalGibbsConfig {
        Checks.check(particles >= 2, "particles", "must be >= 2, got " + particles);
        Checks.positive(steps, "steps");
        Checks.positive(lr, "lr");
        Checks.nonNegative(noiseSd, "noiseSd");
        Checks.positive(bandwidth, "bandwidth");
        Checks.notNull(taus, "taus");
        Checks.check(!taus.isEmpty(), "taus", "must not be empty");
        taus = List.copyOf(taus);
        for (int i = 0; i < taus.size(); i++) {
            Checks.positive(taus.get(i), "taus");
            Checks.check(i == 0 || taus.get(i) < taus.get(i - 1), "taus", "must be strictly descending, got " + taus);
        }
        Checks.positive(seeds, "seeds");
        Checks.notNull(potential, "potential");
        Checks.check(capRadius > 0 && capRadius <= Math.PI, "capRadius", "must be in (0, pi], got " + capRadius);
        Checks.positive(mcPoints, "mcPoints");
        Checks.positive(mcChunk, "mcChunk");
        Checks.positive(runsPerChunk, "runsPerChunk");
    }

    /** @return the paper's settings (140 runs of 5000 steps) */
    public static UnimodalGibbsConfig paperDefault() {
        return new UnimodalGibbsConfig(768, 5000, 0.05, 0.06, 0.35, List.of(10.0, 5.0, 2.5, 1.0, 0.5, 0.2, 0.1), 20, 0,
                TwoWellPotential.paperDefault(), 0.5, 2_000_000, 100_000, defaultRunsPerChunk(768));
    }

    /**
     * Runs per stacked chunk such that one {@code [K, M, M]} float32 pair array stays within
     * {@value #PAIR_BUDGET_BYTES} bytes. The step is a dozen elementwise passes over such arrays,
     * so it is memory-bound: on a 2-core CPU, K = 2-3 at M = 768 (7 MiB) ran at 3.4-3.8 ms per
     * run-step while K = 6-14 (14-32 MiB, past the cache) took 2-5 times longer.
     *
     * @param particles M
     * @return at least 1, at most 256
     */
    public static int defaultRunsPerChunk(int particles) {
        long perRun = 4L * particles * particles;
        return (int) Math.max(1, Math.min(256, PAIR_BUDGET_BYTES / perRun));
    }

    /** Bytes of one stacked pair array that {@link #defaultRunsPerChunk} aims at. */
    public static final long PAIR_BUDGET_BYTES = 8L << 20;

    /** @return a reduced run for tests: 96 particles, 200 steps, 2 seeds, 200k Monte Carlo points */
    public static UnimodalGibbsConfig quick() {
        return new UnimodalGibbsConfig(96, 200, 0.05, 0.06, 0.35, paperDefault().taus(), 2, 0,
                TwoWellPotential.paperDefault(), 0.5, 200_000, 100_000, defaultRunsPerChunk(96));
    }

    /** @return a copy with another seed count */
    public UnimodalGibbsConfig withSeeds(int n) {
        return new UnimodalGibbsConfig(particles, steps, lr, noiseSd, bandwidth, taus, n, firstSeed, potential, capRadius,
                mcPoints, mcChunk, runsPerChunk);
    }

    /** @return a copy with another step count */
    public UnimodalGibbsConfig withSteps(int n) {
        return new UnimodalGibbsConfig(particles, n, lr, noiseSd, bandwidth, taus, seeds, firstSeed, potential, capRadius,
                mcPoints, mcChunk, runsPerChunk);
    }

    /** @return a copy with another number of runs per stacked chunk */
    public UnimodalGibbsConfig withRunsPerChunk(int n) {
        return new UnimodalGibbsConfig(particles, steps, lr, noiseSd, bandwidth, taus, seeds, firstSeed, potential, capRadius,
                mcPoints, mcChunk, n);
    }

    /** @return the temperatures as an array */
    public double[] tauArray() {
        return taus.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
