package org.gaplab.engine.optim;

import org.gaplab.core.Checks;

/**
 * Optimiser settings.
 *
 * @param kind ADAM (L2 weight decay added to the gradient), ADAMW (decoupled decay) or SGD
 * @param lr peak learning rate
 * @param beta1 Adam first-moment decay
 * @param beta2 Adam second-moment decay
 * @param eps Adam denominator epsilon
 * @param weightDecay decay coefficient (never applied to biases or the logit scale)
 * @param momentum SGD momentum (0 = plain SGD)
 * @param warmupSteps linear warmup from 0 to lr over this many steps
 * @param schedule learning-rate shape after warmup
 * @param minLrRatio cosine schedule floor as a fraction of lr
 * @param clipGradNorm clip each run's global gradient norm to this value; 0 disables
 */
public record OptimConfig(OptimizerKind kind, double lr, double beta1, double beta2, double eps, double weightDecay,
        double momentum, int warmupSteps, Schedule schedule, double minLrRatio, double clipGradNorm) {

    /** Optimiser families. */
    public enum OptimizerKind { ADAM, ADAMW, SGD }

    /** Learning-rate shapes. */
    public enum Schedule { CONSTANT, COSINE }

    /** Validates. */
    public OptimConfig {
        Checks.notNull(kind, "kind");
        Checks.notNull(schedule, "schedule");
        Checks.positive(lr, "lr");
        Checks.check(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1), got " + beta1);
        Checks.check(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1), got " + beta2);
        Checks.positive(eps, "eps");
        Checks.nonNegative(weightDecay, "weightDecay");
        Checks.check(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
        Checks.check(warmupSteps >= 0, "warmupSteps", "must be >= 0, got " + warmupSteps);
        Checks.inRange(minLrRatio, 0, 1, "minLrRatio");
        Checks.nonNegative(clipGradNorm, "clipGradNorm");
    }

    /** The paper's optimiser: Adam, lr 5e-3, no decay, constant schedule, no clipping. */
    public static OptimConfig paperDefault() {
        return new OptimConfig(OptimizerKind.ADAM, 5e-3, 0.9, 0.999, 1e-8, 0, 0.9, 0, Schedule.CONSTANT, 0, 0);
    }

    /** @return a copy with another learning rate */
    public OptimConfig withLr(double newLr) {
        return new OptimConfig(kind, newLr, beta1, beta2, eps, weightDecay, momentum, warmupSteps, schedule, minLrRatio,
                clipGradNorm);
    }

    /**
     * Learning-rate multiplier at a step: linear warmup {@code (t+1)/W} for {@code t < W}, then 1
     * (constant) or {@code m + (1 - m)(1 + cos(pi p))/2} with {@code p = (t - W)/(T - W)} (cosine).
     *
     * @param step 0-based step index
     * @param totalSteps T
     * @return the multiplier in [0, 1]
     */
    public double scheduleFactor(long step, long totalSteps) {
        if (step < warmupSteps) {
            return (step + 1.0) / warmupSteps;
        }
        if (schedule == Schedule.CONSTANT || totalSteps <= warmupSteps) {
            return 1;
        }
        double p = Math.min(1, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
}
