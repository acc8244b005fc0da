package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.gpu;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The stacked trainer on GPU: K runs trained as one computation match the same runs trained alone
 * on the GPU (each run's init and data depend only on its own seed), and every run learns.
 */
@RequiresCuda
class StackedTrainerGpuTest {
    private static final int K = 4;
    private static final int STEPS = 300;
    private static final int INTERVAL = 100;

    @Test
    void stackOfFourMatchesEachRunAlone() {
        List<RunConfig> runs = new ArrayList<>();
        for (int k = 0; k < K; k++) {
            runs.add(RunConfig.defaults().withSteps(STEPS).withSeed(k));
        }
        List<IntervalMetrics> stacked = train(runs);
        assertThat(stacked).hasSize(STEPS / INTERVAL);
        for (int k = 0; k < K; k++) {
            List<IntervalMetrics> alone = train(List.of(runs.get(k)));
            for (int i = 0; i < stacked.size(); i++) {
                double a = alone.get(i).loss()[0];
                double s = stacked.get(i).loss()[k];
                // batched and single kernels may round differently; the runs must not interact
                assertThat(s).as("run %d, interval %d: stacked vs alone", k, i).isCloseTo(a, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(a))));
            }
            double firstInterval = stacked.get(0).loss()[k];
            double lastInterval = stacked.get(stacked.size() - 1).loss()[k];
            assertThat(lastInterval).as("run %d learns", k).isLessThan(firstInterval);
        }
    }

    private static List<IntervalMetrics> train(List<RunConfig> runs) {
        List<IntervalMetrics> out = new ArrayList<>();
        try (Trainer t = new Trainer(runs, gpu())) {
            for (int i = 1; i <= STEPS; i++) {
                t.step();
                if (i % INTERVAL == 0) {
                    IntervalMetrics m = t.drainMetrics();
                    assertThat(m.nonFiniteRuns()).isEmpty();
                    assertThat(m.loss()).hasSize(runs.size());
                    out.add(m);
                }
            }
        }
        return out;
    }
}
