package org.gaplab.engine.experiment.gapcontrol;

import org.gaplab.core.Checks;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.experiment.DigitsRun;
import org.gaplab.models.Activation;
import org.gaplab.models.DualEncoderConfig;
import org.gaplab.models.TowerConfig;

import java.util.List;

/**
 * Settings of the gap-control study: symmetric InfoNCE plus {@code lambda * D(z1 batch, z2 batch)}
 * swept over lambda on the circle data (sigma = 0.5) and on the bundled digits.
 *
 * @param penalty the divergence D (MMD^2 by default)
 * @param lambdas the weights, ascending, starting at 0
 * @param seeds seeds per lambda and dataset
 * @param circle the circle run at lambda = 0: the paper's circle data at sigma = 0.5 and its
 *     training settings, with one-hidden-layer MLP towers onto S^7 ({@link #circleRun})
 * @param digits the digits run at lambda = 0 ({@link DigitsRun#defaults()})
 */
public record GapControlConfig(LossConfig.GapPenalty penalty, List<Double> lambdas, int seeds, RunConfig circle,
        RunConfig digits) {
    /** Validates. */
    public GapControlConfig {
        Checks.notNull(penalty, "penalty");
        Checks.check(penalty != LossConfig.GapPenalty.NONE, "penalty", "must be mmd or centroid");
        Checks.notNull(lambdas, "lambdas");
        lambdas = List.copyOf(lambdas);
        Checks.check(!lambdas.isEmpty() && lambdas.get(0) == 0, "lambdas", "must start at 0 (the unregularised run), got " + lambdas);
        for (int i = 1; i < lambdas.size(); i++) {
            Checks.check(lambdas.get(i) > lambdas.get(i - 1), "lambdas", "must be strictly ascending, got " + lambdas);
        }
        Checks.positive(seeds, "seeds");
        Checks.notNull(circle, "circle");
        Checks.notNull(digits, "digits");
    }

    /** @return MMD^2, lambda in {0, 1, 3, 10, 30}, 5 seeds (paired tests need them: docs/theory.md section 8.1), 2000 circle steps, 300 digits steps */
    public static GapControlConfig defaults() {
        return new GapControlConfig(LossConfig.GapPenalty.MMD, List.of(0.0, 1.0, 3.0, 10.0, 30.0), 5,
                circleRun(),
                DigitsRun.defaults().withName("gap-control-digits"));
    }

    /**
     * The circle run of the study. The paper's 2x2 linear encoders onto S^1 leave no centroid gap
     * to close (their gap is the shape difference J; at sigma = 0.5 the centroid gap is about 0.01,
     * the sampling floor of the evaluation), so the study maps the same data with MLPs 2 -> 32 ->
     * 8 (ReLU) onto S^7, where the two towers start in different cones and InfoNCE alone keeps
     * them apart: the population gap the regulariser is meant to close.
     *
     * @return the lambda = 0 run
     */
    public static RunConfig circleRun() {
        TowerConfig tower = TowerConfig.mlp(2, List.of(32), 8, Activation.RELU);
        RunConfig paper = RunConfig.defaults();
        return paper.withData(CircleMixtureConfig.paper(0.5))
                .withModel(new DualEncoderConfig(tower, tower, paper.model().temperature()))
                .withEval(new EvalConfig(4000)).withName("gap-control-circle");
    }

    /**
     * The quick version: lambda in {0, 30}, 1 seed, 400 circle steps and the full 300-step digits
     * run. At 150 digits steps the lambda = 30 run is still in its transient and depends on float
     * rounding: with one thread count its gap was 0.47, above the unregularised 0.19.
     *
     * @return the reduced study
     */
    public static GapControlConfig quick() {
        GapControlConfig d = defaults();
        return new GapControlConfig(d.penalty(), List.of(0.0, 30.0), 1, d.circle().withSteps(400), d.digits());
    }

    /** @return a copy with another seed count */
    public GapControlConfig withSeeds(int n) {
        return new GapControlConfig(penalty, lambdas, n, circle, digits);
    }

    /** @return a copy with another step count for both datasets */
    public GapControlConfig withSteps(int n) {
        return new GapControlConfig(penalty, lambdas, seeds, circle.withSteps(n), digits.withSteps(n));
    }

    /** @return the run of one dataset at one lambda and seed */
    public RunConfig runAt(RunConfig base, double lambda, long seed) {
        return base.withLoss(base.loss().withGapPenalty(penalty, lambda)).withSeed(seed);
    }
}
