package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.gpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.StepResult;
import org.gaplab.engine.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Every array a GPU training step reads or writes lives on the GPU; data is generated there. */
@RequiresCuda
class DeviceResidencyTest {
    @Test
    void parametersOptimiserStateAndStepResultsStayOnTheGpu() {
        List<RunConfig> runs = List.of(RunConfig.defaults().withSteps(50), RunConfig.defaults().withSteps(50).withSeed(1));
        try (Trainer t = new Trainer(runs, gpu())) {
            assertThat(t.device()).isEqualTo(gpu());
            StepResult r = null;
            for (int i = 0; i < 20; i++) {
                r = t.step();
            }
            assertThat(r.loss().getDevice()).isEqualTo(gpu());
            assertThat(r.gradNorm().getDevice()).isEqualTo(gpu());
            assertOnGpu("parameter", t.model().parameters().asList());
            assertOnGpu("optimiser state", t.optimizer().state());
            assertOnGpu("accumulator", t.accumulators());
            IntervalMetrics m = t.drainMetrics();
            assertThat(m.nonFiniteRuns()).isEmpty();
            assertThat(m.steps()).isEqualTo(20);
        }
    }

    @Test
    void trainingDataIsGeneratedOnTheGpu() {
        RunConfig c = RunConfig.defaults();
        try (NDManager m = NDManager.newBaseManager(gpu())) {
            NDList pair = c.data().build().sampleTrain(m, 1, 4 * c.batchSize(), DataType.FLOAT32);
            assertOnGpu("sampled batch", pair);
        }
    }

    private static void assertOnGpu(String what, NDList arrays) {
        assertThat(arrays).as(what + "s").isNotEmpty();
        for (NDArray a : arrays) {
            assertThat(a.getDevice()).as("%s %s", what, a.getName()).isEqualTo(gpu());
        }
    }
}
