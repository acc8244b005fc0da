package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.gpu;

import ai.djl.util.cuda.CudaUtils;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.models.Activation;
import org.gaplab.models.DualEncoderConfig;
import org.gaplab.models.TowerConfig;
import org.gaplab.engine.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * GPU memory in use stays flat over thousands of steps. Uses the benchmark's "large" case (MLP
 * towers 2-512-512-64, batch 1024) so that leaking even one step's activations (several MiB)
 * would add up to far more than the tolerance.
 */
@RequiresCuda
class GpuMemoryFlatTest {
    private static final int WARMUP = 500;
    private static final int STEPS = 3000;
    private static final int INTERVAL = 100;
    /** Slack for the caching allocator settling its pools; a per-step leak of one batch alone exceeds it. */
    private static final long TOLERANCE_BYTES = 64L << 20;

    @Test
    void memoryInUseDoesNotGrowWithSteps() {
        TowerConfig tower = TowerConfig.mlp(2, List.of(512, 512), 64, Activation.RELU);
        RunConfig c = RunConfig.defaults().withBatchSize(1024)
                .withModel(DualEncoderConfig.paperDefault().withTowers(tower, tower)).withSteps(WARMUP + STEPS);
        List<Long> used = new ArrayList<>();
        try (Trainer t = new Trainer(List.of(c, c.withSeed(1)), gpu())) {
            for (int i = 0; i < WARMUP; i++) {
                t.step();
            }
            t.drainMetrics();
            long baseline = usedBytes();
            for (int i = 1; i <= STEPS; i++) {
                t.step();
                if (i % INTERVAL == 0) {
                    // the drain is the loop's host sync, so all queued work has finished when memory is read
                    assertThat(t.drainMetrics().nonFiniteRuns()).isEmpty();
                    used.add(usedBytes());
                }
            }
            long peakGrowth = used.stream().mapToLong(u -> u - baseline).max().orElseThrow();
            assertThat(peakGrowth).as("GPU memory growth over %d steps (MiB), samples %s", STEPS, used)
                    .isLessThanOrEqualTo(TOLERANCE_BYTES);
        }
    }

    /** Device memory in use (cudaMemGetInfo: all processes, including libtorch's cached blocks). */
    private static long usedBytes() {
        return CudaUtils.getGpuMemory(gpu()).getUsed();
    }
}
