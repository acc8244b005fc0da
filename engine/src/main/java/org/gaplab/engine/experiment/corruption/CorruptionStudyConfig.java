package org.gaplab.engine.experiment.corruption;

import org.gaplab.core.Checks;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.experiment.DigitsRun;

import java.util.List;

/**
 * Settings of the corruption study on the bundled digits (docs/theory.md section 7, the paper's COCO
 * corruption experiment transposed to digit halves).
 *
 * @param probabilities corruption probabilities p (0, 0.25, 0.5, 0.75, 1)
 * @param seeds training seeds per p (the corruption itself is fixed by the data seed, nested in p)
 * @param run the training run at p = 0 ({@link DigitsRun#defaults()})
 */
public record CorruptionStudyConfig(List<Double> probabilities, int seeds, RunConfig run) {
    /** Validates. */
    public CorruptionStudyConfig {
        Checks.notNull(probabilities, "probabilities");
        Checks.check(!probabilities.isEmpty(), "probabilities", "must not be empty");
        probabilities = List.copyOf(probabilities);
        for (double p : probabilities) {
            Checks.check(p >= 0 && p <= 1, "probabilities", "must lie in [0, 1], got " + probabilities);
        }
        Checks.positive(seeds, "seeds");
        Checks.notNull(run, "run");
    }

    /**
     * @return p in {0, 0.25, 0.5, 0.75, 1}, 10 seeds, the documented digits run. The trend claims are
     *     tested across seeds by a signed-rank test, which cannot reach p = 0.05 with fewer than 5
     *     seeds (3 seeds: at best 0.125); 10 seeds can reach 0.001 and leave room for seeds whose own
     *     trend is weak.
     */
    public static CorruptionStudyConfig defaults() {
        return new CorruptionStudyConfig(List.of(0.0, 0.25, 0.5, 0.75, 1.0), 10, DigitsRun.defaults());
    }

    /** @return the same grid with 2 seeds of the 150-step run */
    public static CorruptionStudyConfig quick() {
        return new CorruptionStudyConfig(defaults().probabilities(), 2, DigitsRun.quick());
    }

    /** @return a copy with another seed count */
    public CorruptionStudyConfig withSeeds(int n) {
        return new CorruptionStudyConfig(probabilities, n, run);
    }

    /** @return a copy with another step count */
    public CorruptionStudyConfig withSteps(int n) {
        return new CorruptionStudyConfig(probabilities, seeds, run.withSteps(n));
    }
}
