package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.assertClose;
import static org.gaplab.gputests.Arrays32.copy;
import static org.gaplab.gputests.Arrays32.gpu;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.step.DataBlocks;
import org.gaplab.engine.step.GradientPlan;
import org.gaplab.engine.train.Trainer;
import org.gaplab.engine.train.TrainingListener;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.core.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * A short training run of the paper's configuration (two stacked runs) on GPU follows the CPU run
 * step for step, when both start from the same parameters and see the same batches.
 *
 * <p>Both sides are the real {@link Trainer} stepped by the real {@link TrainingLoop}, on each
 * gradient route. Only their state is injected: the CPU and CUDA generators differ, so the GPU
 * trainer takes the CPU trainer's initial parameters, and both draw their batches from the CPU
 * generator ({@link DataBlocks}), copied to the GPU.
 */
@RequiresCuda
class TrainingAgreementTest {
    private static final int STEPS = 100;

    /** Each run's batches drawn on the CPU from its own seed, as the trainer would, then copied to the trainer's device. */
    private static DataBlocks cpuBatches(List<RunConfig> runs) {
        List<PairedSource> sources = runs.stream().map(c -> c.data().build()).toList();
        return (manager, run, block, rows) -> {
            try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
                NDList pair = sources.get(run).sampleTrain(cpu, Seeds.derive(runs.get(run).seed(), "data", block), rows,
                        DataType.FLOAT32);
                return new NDList(copy(pair.get(0), manager), copy(pair.get(1), manager));
            }
        };
    }

    /** Steps a trainer through the loop with a drain at every step (a host sync; fine in a test), recording each step's losses. */
    private static List<double[]> train(Trainer t) {
        List<double[]> losses = new ArrayList<>();
        TrainingLoop.run(t, STEPS, 1, List.of(TrainingListener.atIntervals((loop, m) -> losses.add(m.loss()))));
        return losses;
    }

    private static float[] f32(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    private static void followsStepForStep(List<RunConfig> runs, GradientPlan.Route route) {
        DataBlocks batches = cpuBatches(runs);
        try (Trainer onCpu = new Trainer(runs, Device.cpu(), batches);
                Trainer onGpu = new Trainer(runs, gpu(), batches)) {
            assertThat(onCpu.gradientPlan().route()).isEqualTo(route);
            assertThat(onGpu.gradientPlan().route()).isEqualTo(route);
            onGpu.model().parameters().copyFrom(onCpu.model().parameters().asList());
            List<double[]> lc = train(onCpu);
            List<double[]> lg = train(onGpu);
            assertThat(lc).hasSize(STEPS);
            for (int t = 0; t < STEPS; t++) {
                // rounding differences compound through Adam; the bound grows slowly with t
                assertClose(route + ": loss at step " + t, f32(lg.get(t)), f32(lc.get(t)), 1e-5 * (1 + t), 1e-5 * (1 + t));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertThat(lc.get(STEPS - 1)[i]).as("run %d trains", i).isLessThan(lc.get(0)[i]);
            }
            for (String name : onCpu.model().parameters().names()) {
                assertClose(route + ": parameter " + name + " after " + STEPS + " steps",
                        onGpu.model().parameters().get(name).toFloatArray(), onCpu.model().parameters().get(name).toFloatArray(),
                        1e-3, 1e-3);
            }
        }
    }

    @Test
    void gpuRunFollowsTheCpuRunStepForStep() {
        List<RunConfig> runs = List.of(RunConfig.defaults().withSteps(STEPS), RunConfig.defaults().withSteps(STEPS).withSeed(1));
        followsStepForStep(runs, GradientPlan.Route.EMBEDDING_SPLIT);
        LossConfig d = runs.get(0).loss();
        LossConfig autograd = new LossConfig(d.kind(), d.sigmoidBias(), false, d.gapPenalty(), d.gapWeight());
        followsStepForStep(runs.stream().map(c -> c.withLoss(autograd)).toList(), GradientPlan.Route.WHOLE_GRAPH);
    }
}
