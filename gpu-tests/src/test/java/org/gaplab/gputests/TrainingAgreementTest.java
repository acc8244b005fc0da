package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.assertClose;
import static org.gaplab.gputests.Arrays32.copy;
import static org.gaplab.gputests.Arrays32.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.models.DualEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * A short training run of the paper's configuration (two stacked runs) on GPU follows the CPU run
 * step for step, when both start from the same parameters and see the same batches.
 *
 * <p>{@link org.gaplab.engine.train.Trainer} draws its initial weights and data from the device's
 * own generator, and the CPU and CUDA generators differ, so this test drives the same step
 * (forward, symmetric InfoNCE, backward, Adam, logit-scale clamp) itself, with the weights
 * initialised once on the CPU and the batches generated once on the CPU, both copied to the GPU.
 */
@RequiresCuda
class TrainingAgreementTest {
    private static final int STEPS = 100;

    /** One device's copy of the run: model, optimiser and the whole data block. */
    private static final class Replica implements AutoCloseable {
        final NDManager manager;
        final DualEncoder model;
        final Optimizer optimizer;
        final NDList data;

        Replica(Device device, List<RunConfig> runs, NDList initialParams, NDList cpuData) {
            manager = NDManager.newBaseManager(device);
            RunConfig first = runs.get(0);
            int k = runs.size();
            // any seeds: the values are overwritten by the CPU initialisation just below
            model = DualEncoder.initialize(first.model(), manager, new long[k], new long[k], taus(runs), DataType.FLOAT32);
            model.parameters().copyFrom(initialParams);
            model.parameters().requireGradients();
            optimizer = new Optimizer(first.optim(), model.parameters(), lrs(runs), manager);
            data = new NDList(copy(cpuData.get(0), manager), copy(cpuData.get(1), manager));
        }

        /** @return the per-run loss of the step (a host sync; fine in a test) */
        float[] step(PairLoss loss, int t, double factor) {
            NDIndex at = new NDIndex(":, {}", t);
            try (NDManager scope = manager.newSubManager()) {
                model.tempAttach(scope);
                optimizer.tempAttach(scope);
                scope.tempAttachAll(data);
                NDArray perRun;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray z1 = model.embed1(data.get(0).get(at));
                    NDArray z2 = model.embed2(data.get(1).get(at));
                    perRun = loss.perRun(z1, z2, model.logitScale());
                    gc.backward(perRun.sum());
                }
                optimizer.step(model.parameters(), factor);
                model.clampLogitScale();
                assertThat(perRun.getDevice()).isEqualTo(manager.getDevice());
                return perRun.toFloatArray();
            }
        }

        float[] parameter(String name) {
            return model.parameters().get(name).toFloatArray();
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private static double[] taus(List<RunConfig> runs) {
        return runs.stream().mapToDouble(c -> c.model().temperature().tau()).toArray();
    }

    private static double[] lrs(List<RunConfig> runs) {
        return runs.stream().mapToDouble(c -> c.optim().lr()).toArray();
    }

    @Test
    void gpuRunFollowsTheCpuRunStepForStep() {
        List<RunConfig> runs = List.of(RunConfig.defaults().withSteps(STEPS), RunConfig.defaults().withSteps(STEPS).withSeed(1));
        RunConfig first = runs.get(0);
        int k = runs.size();
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            long[] s1 = new long[k];
            long[] s2 = new long[k];
            NDList xs = new NDList();
            NDList ys = new NDList();
            for (int i = 0; i < k; i++) {
                RunConfig c = runs.get(i);
                s1[i] = Seeds.derive(c.seed(), "init.tower1", 0);
                s2[i] = Seeds.derive(c.seed(), "init.tower2", 0);
                PairedSource src = c.data().build();
                NDList pair = src.sampleTrain(cpu, Seeds.derive(c.seed(), "data", 0), STEPS * c.batchSize(), DataType.FLOAT32);
                xs.add(pair.get(0).reshape(STEPS, c.batchSize(), -1));
                ys.add(pair.get(1).reshape(STEPS, c.batchSize(), -1));
            }
            NDList cpuData = new NDList(NDArrays.stack(xs), NDArrays.stack(ys));
            NDList init = DualEncoder.initialize(first.model(), cpu, s1, s2, taus(runs), DataType.FLOAT32)
                    .parameters().asList();
            PairLoss loss = first.loss().build();
            try (Replica onCpu = new Replica(Device.cpu(), runs, init, cpuData);
                    Replica onGpu = new Replica(gpu(), runs, init, cpuData)) {
                float[] firstLoss = null;
                float[] lastLoss = null;
                for (int t = 0; t < STEPS; t++) {
                    double factor = first.optim().scheduleFactor(t, STEPS);
                    float[] lc = onCpu.step(loss, t, factor);
                    float[] lg = onGpu.step(loss, t, factor);
                    // rounding differences compound through Adam; the bound grows slowly with t
                    assertClose("loss at step " + t, lg, lc, 1e-5 * (1 + t), 1e-5 * (1 + t));
                    if (firstLoss == null) {
                        firstLoss = lc;
                    }
                    lastLoss = lc;
                }
                for (int i = 0; i < k; i++) {
                    assertThat(lastLoss[i]).as("run %d trains", i).isLessThan(firstLoss[i]);
                }
                for (String name : onCpu.model.parameters().names()) {
                    assertClose("parameter " + name + " after " + STEPS + " steps", onGpu.parameter(name),
                            onCpu.parameter(name), 1e-3, 1e-3);
                }
            }
        }
    }
}
