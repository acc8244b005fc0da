package org.gaplab.engine.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

import java.util.Map;

/** The interval means of {@link MetricAccumulator}, across a drain and across a resume. */
class MetricAccumulatorTest {
    @Test
    void meansCoverTheStepsAddedAndADrainStartsAFreshInterval() {
        try (NDManager m = NDManager.newBaseManager()) {
            MetricAccumulator acc = new MetricAccumulator(m, 2, DataType.FLOAT32);
            acc.add(m.create(new float[] {1, 2}), m.create(new float[] {3, 4}), Map.of("penalty", m.create(new float[] {0.5f, 1})));
            acc.add(m.create(new float[] {3, 4}), m.create(new float[] {5, 6}), Map.of("penalty", m.create(new float[] {1.5f, 3})));
            IntervalMetrics first = acc.drain(2, 1.0, new double[] {1, 1});
            assertThat(first.loss()).containsExactly(2, 3);
            assertThat(first.gradNorm()).containsExactly(4, 5);
            assertThat(first.lossParts().get("penalty")).containsExactly(1, 2);
            acc.add(m.create(new float[] {7, 8}), m.create(new float[] {0, 0}), Map.of("penalty", m.create(new float[] {2, 2})));
            IntervalMetrics second = acc.drain(3, 1.0, new double[] {1, 1});
            assertThat(second.steps()).isEqualTo(1);
            assertThat(second.loss()).containsExactly(7, 8);
            assertThat(second.lossParts().get("penalty")).containsExactly(2, 2);
        }
    }

    /**
     * A checkpoint written before the loss reported parts restores the loss sum over the
     * interval's earlier steps but no part sums: a part's first mean then covers only the steps
     * since the resume, never divides by steps it did not see.
     */
    @Test
    void aResumeFromACheckpointWithoutPartsAveragesEachPartOverItsOwnSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            MetricAccumulator before = new MetricAccumulator(m, 1, DataType.FLOAT32);
            before.add(m.create(new float[] {4}), m.create(new float[] {1}));
            before.add(m.create(new float[] {6}), m.create(new float[] {1}));
            NDList saved = before.arrays();

            MetricAccumulator resumed = new MetricAccumulator(m, 1, DataType.FLOAT32);
            resumed.restore(saved, before.steps());
            resumed.add(m.create(new float[] {8}), m.create(new float[] {1}), Map.of("penalty", m.create(new float[] {0.25f})));
            IntervalMetrics im = resumed.drain(3, 1.0, new double[] {1});
            assertThat(im.steps()).isEqualTo(3);
            assertThat(im.loss()[0]).isCloseTo(6.0, within(1e-6));
            assertThat(im.lossParts().get("penalty")[0]).isCloseTo(0.25, within(1e-7));
        }
    }
}
