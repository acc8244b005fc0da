package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.core.Seeds;
import org.gaplab.engine.optim.OptimConfig;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.MetricAccumulator;
import org.gaplab.engine.step.StepResult;
import org.gaplab.engine.step.StepSource;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.RandomStreams;

import java.util.Arrays;
import java.util.List;

/**
 * The particles of K stacked runs as a step source of the {@link TrainingLoop}: a step is one
 * Adam update on v with the closed-form {@code dJ/dv} ({@link UnimodalGibbs#objectiveAndGradient}), then the
 * step's noise added to v. The interval metrics are the mean objective J and gradient norm per
 * run, summed on the device by the training step's {@link MetricAccumulator}, with 1/tau in place
 * of a logit scale.
 */
final class Particles implements StepSource, AutoCloseable {
    private final NDManager chunk;
    private final UnimodalGibbsConfig c;
    private final long[] seeds;
    private final double[] invTau;
    private final Parameters params = new Parameters();
    private final Optimizer optimizer;
    private final NDArray invTauArr;
    private final MetricAccumulator metrics;
    private NDManager blockManager;
    private NDArray noise;
    private long step;
    /** J of the last step, per run, on the chunk's manager. */
    NDArray lastObjective;

    Particles(NDManager chunk, UnimodalGibbsConfig c, NDArray v, long[] seeds, double[] invTau) {
        this.chunk = chunk;
        this.c = c;
        this.seeds = seeds;
        this.invTau = invTau;
        int k = seeds.length;
        params.put(new ParamSpec("particles", new Shape(c.particles(), 3), 0, false), v);
        double[] lrs = new double[k];
        Arrays.fill(lrs, c.lr());
        OptimConfig adam = new OptimConfig(OptimConfig.OptimizerKind.ADAM, c.lr(), 0.9, 0.999, 1e-8, 0, 0, 0,
                OptimConfig.Schedule.CONSTANT, 0, 0);
        this.optimizer = new Optimizer(adam, params, lrs, chunk);
        this.invTauArr = chunk.create(invTau).toType(DataType.FLOAT32, false);
        this.metrics = new MetricAccumulator(chunk, k, DataType.FLOAT32);
    }

    @Override
    public long stepsDone() {
        return step;
    }

    @Override
    public StepResult step() {
        if (step % UnimodalGibbs.NOISE_BLOCK == 0) {
            if (blockManager != null) {
                blockManager.close();
            }
            blockManager = chunk.newSubManager();
            noise = noiseBlock(blockManager, seeds, step / UnimodalGibbs.NOISE_BLOCK, (int) Math.min(UnimodalGibbs.NOISE_BLOCK, c.steps() - step),
                    c.particles(), c.noiseSd());
        }
        try (NDManager scope = chunk.newSubManager()) {
            params.tempAttach(scope);
            optimizer.tempAttach(scope);
            scope.tempAttachAll(invTauArr, noise);
            metrics.tempAttach(scope);
            SphereKde.ValueAndGradient j = UnimodalGibbs.objectiveAndGradient(params.get("particles"), invTauArr, c.potential(),
                    c.bandwidth());
            NDArray gradNorm = optimizer.step(params, List.of(j.gradient()), 1.0);
            params.get("particles").addi(noise.get(":, {}", step % UnimodalGibbs.NOISE_BLOCK));
            metrics.add(j.value(), gradNorm);
            if (step == c.steps() - 1) {
                lastObjective = j.value();
                lastObjective.attach(chunk);
            }
        }
        step++;
        return new StepResult(step, 1.0, metrics.lossSum(), metrics.gradNormSum());
    }

    @Override
    public IntervalMetrics drainMetrics() {
        return metrics.drain(step, 1.0, invTau.clone());   // host sync point: once per log interval
    }

    @Override
    public void close() {
        if (blockManager != null) {
            blockManager.close();
        }
    }

    /** Noise for {@code len} steps of every run, {@code [K, len, M, 3]}, each run from its own seed. */
    private static NDArray noiseBlock(NDManager m, long[] seeds, long block, int len, int particles, double sd) {
        NDList parts = new NDList();
        for (long s : seeds) {
            parts.add(RandomStreams.draw(m, Seeds.derive(s, "gibbs.noise", block),
                    () -> m.randomNormal(new Shape(len, particles, 3), DataType.FLOAT32)).mul(sd));
        }
        return NDArrays.stack(parts);
    }
}
