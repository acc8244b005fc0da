package org.gaplab.engine.experiment.sharpening;

import org.gaplab.core.UserException;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.models.TemperatureConfig;

import java.util.List;

/**
 * Settings of the sharpening study (docs/theory.md section 8.1, "sharpening"): the modality-gap
 * circle at fixed misalignments over a range of temperatures.
 *
 * @param sigmas misalignments; the first must be 0 (the control)
 * @param taus temperatures, strictly descending
 * @param seeds seeds per (tau, sigma)
 * @param steps training steps
 * @param batchSize pairs per batch
 * @param evalSize evaluation pairs per run
 */
public record SharpeningConfig(List<Double> sigmas, List<Double> taus, int seeds, int steps, int batchSize, int evalSize) {
    /** Validates. */
    public SharpeningConfig {
        sigmas = List.copyOf(sigmas);
        taus = List.copyOf(taus);
        if (sigmas.isEmpty() || sigmas.get(0) != 0.0 || sigmas.stream().anyMatch(s -> !(s >= 0))) {
            throw new UserException("sharpening: sigmas must start with 0 (the control) and be >= 0, got " + sigmas);
        }
        if (taus.isEmpty()) {
            throw new UserException("sharpening: taus must not be empty");
        }
        for (int i = 0; i < taus.size(); i++) {
            if (!(taus.get(i) > 0) || (i > 0 && taus.get(i) >= taus.get(i - 1))) {
                throw new UserException("sharpening: taus must be positive and strictly descending, got " + taus);
            }
        }
        if (seeds < 1 || steps < 1 || batchSize < 2 || evalSize < 20) {
            throw new UserException("sharpening: seeds, steps >= 1, batch_size >= 2, eval_size >= 20 required");
        }
    }

    /** @return the full study: sigma 0, 0.2, 0.4 x 8 taus x 10 seeds x 3000 steps */
    public static SharpeningConfig paperDefault() {
        return new SharpeningConfig(List.of(0.0, 0.2, 0.4), List.of(1.0, 0.5, 0.2, 0.1, 0.07, 0.05, 0.03, 0.02), 10, 3000, 256, 8000);
    }

    /** @return seconds: sigma 0 and 0.4, three taus, 2 seeds, 100 steps */
    public static SharpeningConfig quick() {
        return new SharpeningConfig(List.of(0.0, 0.4), List.of(1.0, 0.1, 0.02), 2, 100, 128, 2000);
    }

    /** @return the run of (tau, sigma, seed): the modality-gap run with this temperature */
    public RunConfig run(double tau, double sigma, long seed) {
        RunConfig d = RunConfig.defaults();
        return d.withName("sharpening").withSeed(seed).withSteps(steps).withBatchSize(batchSize).withData(CircleMixtureConfig.paper(sigma))
                .withEval(new EvalConfig(evalSize)).withModel(d.model().withTemperature(TemperatureConfig.fixed(tau)))
                .withSchedule(new ScheduleConfig(Math.max(1, steps / 40), 0, 0));
    }

    /** @return a copy with another number of seeds */
    public SharpeningConfig withSeeds(int n) {
        return new SharpeningConfig(sigmas, taus, n, steps, batchSize, evalSize);
    }

    /** @return a copy with another number of steps */
    public SharpeningConfig withSteps(int n) {
        return new SharpeningConfig(sigmas, taus, seeds, n, batchSize, evalSize);
    }
}
