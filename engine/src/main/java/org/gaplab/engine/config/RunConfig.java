package org.gaplab.engine.config;

import org.gaplab.core.Checks;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.SourceConfig;
import org.gaplab.engine.optim.OptimConfig;
import org.gaplab.models.DualEncoderConfig;

/**
 * Everything that defines one training run. The architecture ({@link #model()}) is kept apart from
 * the rest so it can be written and reused on its own ({@code model.json}).
 *
 * @param name a label for the run (directory names, reports)
 * @param seed root seed; split into named streams (init, data, eval)
 * @param steps optimisation steps
 * @param batchSize pairs per batch B
 * @param precision float32 or float64
 * @param model dual-encoder architecture and temperature
 * @param data the paired source ({@code kind} selects it)
 * @param loss the contrastive loss
 * @param optim optimiser and schedule
 * @param eval evaluation set
 * @param schedule logging, checkpoint and measurement intervals
 */
public record RunConfig(String name, long seed, int steps, int batchSize, Precision precision, DualEncoderConfig model,
        SourceConfig data, LossConfig loss, OptimConfig optim, EvalConfig eval, ScheduleConfig schedule) {

    /** Schema version of {@code config.json}. */
    public static final int SCHEMA_VERSION = 1;

    /** Validates. */
    public RunConfig {
        // the name becomes part of a path (runs/<name>-<timestamp>): no separators, and not only dots
        Checks.check(name != null && name.matches("[A-Za-z0-9._-]{1,64}") && !name.matches("\\.+"), "name",
                "must be 1-64 characters of letters, digits, '.', '_' or '-', and not only dots, got '" + name + "'");
        Checks.check(seed >= 0, "seed", "must be >= 0, got " + seed);
        Checks.positive(steps, "steps");
        Checks.check(batchSize >= 2, "batchSize", "must be >= 2 (a contrastive batch needs negatives), got " + batchSize);
        Checks.notNull(precision, "precision");
        Checks.notNull(model, "model");
        Checks.notNull(data, "data");
        Checks.notNull(loss, "loss");
        Checks.notNull(optim, "optim");
        Checks.notNull(eval, "eval");
        Checks.notNull(schedule, "schedule");
    }

    /** The paper's modality-gap run: sigma = 0.4, seed 0, 2000 steps of batch 256. */
    public static RunConfig defaults() {
        return new RunConfig("modality-gap", 0, 2000, 256, Precision.FLOAT32, DualEncoderConfig.paperDefault(),
                CircleMixtureConfig.paper(0.4), LossConfig.paperDefault(), OptimConfig.paperDefault(),
                new EvalConfig(8000), new ScheduleConfig(100, 500, 0));
    }

    /**
     * Approximate multiply-adds of one training step of K stacked runs: the {@code B x B} logits
     * plus both towers' matrix products.
     */
    public long workPerStep(int runs) {
        long towers = model.tower1().parameterCount() + model.tower2().parameterCount();
        return (long) runs * ((long) batchSize * batchSize * model.tower1().outputDim() + (long) batchSize * towers);
    }

    /** @return a copy with another seed */
    public RunConfig withSeed(long s) {
        return new RunConfig(name, s, steps, batchSize, precision, model, data, loss, optim, eval, schedule);
    }

    /** @return a copy with another number of steps */
    public RunConfig withSteps(int n) {
        return new RunConfig(name, seed, n, batchSize, precision, model, data, loss, optim, eval, schedule);
    }

    /** @return a copy with another batch size */
    public RunConfig withBatchSize(int b) {
        return new RunConfig(name, seed, steps, b, precision, model, data, loss, optim, eval, schedule);
    }

    /** @return a copy with another precision */
    public RunConfig withPrecision(Precision p) {
        return new RunConfig(name, seed, steps, batchSize, p, model, data, loss, optim, eval, schedule);
    }

    /** @return a copy with another model */
    public RunConfig withModel(DualEncoderConfig m) {
        return new RunConfig(name, seed, steps, batchSize, precision, m, data, loss, optim, eval, schedule);
    }

    /** @return a copy with another data source */
    public RunConfig withData(SourceConfig d) {
        return new RunConfig(name, seed, steps, batchSize, precision, model, d, loss, optim, eval, schedule);
    }

    /** @return a copy with another loss */
    public RunConfig withLoss(LossConfig l) {
        return new RunConfig(name, seed, steps, batchSize, precision, model, data, l, optim, eval, schedule);
    }

    /** @return a copy with another optimiser */
    public RunConfig withOptim(OptimConfig o) {
        return new RunConfig(name, seed, steps, batchSize, precision, model, data, loss, o, eval, schedule);
    }

    /** @return a copy with another evaluation set */
    public RunConfig withEval(EvalConfig e) {
        return new RunConfig(name, seed, steps, batchSize, precision, model, data, loss, optim, e, schedule);
    }

    /** @return a copy with other intervals */
    public RunConfig withSchedule(ScheduleConfig s) {
        return new RunConfig(name, seed, steps, batchSize, precision, model, data, loss, optim, eval, s);
    }

    /** @return a copy with another name */
    public RunConfig withName(String n) {
        return new RunConfig(n, seed, steps, batchSize, precision, model, data, loss, optim, eval, schedule);
    }
}
