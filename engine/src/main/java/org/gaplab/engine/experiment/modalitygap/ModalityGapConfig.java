package org.gaplab.engine.experiment.modalitygap;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.sweep.SweepSpec;

import java.util.List;

/**
 * Settings of the multimodal modality-gap validation (docs/theory.md section 7): the circle mixture with
 * misalignment sigma, two bias-free 2x2 linear encoders onto S^1, symmetric InfoNCE at tau = 0.07,
 * Adam lr 5e-3, batch 256, evaluation on fresh pairs with each run's own eval seed.
 *
 * @param sigmas misalignment values
 * @param seeds seeds per sigma (0..seeds-1)
 * @param steps training steps
 * @param batchSize pairs per batch
 * @param evalSize evaluation pairs per run (the paper: 8000)
 * @param energySubsample points per side of the energy distance's two independent samples, at most half
 *     the evaluation pairs (its cost is quadratic)
 * @param representativeSeed the seed whose run is drawn in the per-run figures
 * @param figureSigma the sigma of the per-run figures
 * @param chunk stacked runs per computation (0 = automatic)
 */
public record ModalityGapConfig(List<Double> sigmas, int seeds, int steps, int batchSize, int evalSize, int energySubsample,
        int representativeSeed, double figureSigma, int chunk) {
    /** Validates. */
    public ModalityGapConfig {
        sigmas = List.copyOf(sigmas);
        if (sigmas.isEmpty() || sigmas.stream().anyMatch(s -> !(s >= 0))) {
            throw new UserException("sigmas must be a non-empty list of values >= 0, got " + sigmas);
        }
        if (seeds < 1 || steps < 1 || batchSize < 2 || evalSize < 10 || energySubsample < 2 || chunk < 0) {
            throw new UserException("modality-gap: seeds, steps >= 1, batch >= 2, eval >= 10 required");
        }
        if (representativeSeed < 0 || representativeSeed >= seeds) {
            throw new UserException("representative seed " + representativeSeed + " is not among 0.." + (seeds - 1));
        }
    }

    /**
     * The paper's sweep, as {@code examples/sigma-sweep.yaml} defines it (bundled with the engine):
     * sigma = 0, 0.1, ..., 0.7, 20 seeds, 2000 steps, batch 256, 8000 eval pairs.
     */
    public static ModalityGapConfig paperDefault() {
        SweepSpec spec = paperSweep();
        List<Double> sigmas = spec.grid().get("data.sigma").stream().map(v -> ((Number) v).doubleValue()).toList();
        if (spec.grid().size() != 1 || !spec.list().isEmpty() || spec.seedStart() != 0) {
            throw new IllegalStateException(PAPER_SWEEP + " must sweep data.sigma alone over seeds 0..n-1");
        }
        RunConfig base = spec.base();
        return new ModalityGapConfig(sigmas, spec.seedCount(), base.steps(), base.batchSize(), base.eval().size(), 1000, 0, 0.4,
                spec.chunk());
    }

    /** The bundled copy of {@code examples/sigma-sweep.yaml}. */
    static final String PAPER_SWEEP = "sigma-sweep.yaml";

    /** @return the paper's sigma sweep as written in {@code examples/sigma-sweep.yaml} */
    static SweepSpec paperSweep() {
        try (java.io.InputStream in = ModalityGapConfig.class.getResourceAsStream(PAPER_SWEEP)) {
            if (in == null) {
                throw new IllegalStateException(PAPER_SWEEP + " is missing from the engine's resources (a broken build)");
            }
            return SweepSpec.fromTree((com.fasterxml.jackson.databind.node.ObjectNode) Json.YAML.readTree(in), PAPER_SWEEP);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A reduced run for tests: three sigmas, two seeds, 150 steps. */
    public static ModalityGapConfig quick() {
        return new ModalityGapConfig(List.of(0.0, 0.4, 0.7), 2, 150, 128, 2000, 500, 0, 0.4, 0);
    }

    /** @return a copy with another number of seeds (the representative seed clamped into range) */
    public ModalityGapConfig withSeeds(int n) {
        return new ModalityGapConfig(sigmas, n, steps, batchSize, evalSize, energySubsample, Math.min(representativeSeed, n - 1),
                figureSigma, chunk);
    }

    /** @return a copy with another number of steps */
    public ModalityGapConfig withSteps(int n) {
        return new ModalityGapConfig(sigmas, seeds, n, batchSize, evalSize, energySubsample, representativeSeed, figureSigma, chunk);
    }
}
