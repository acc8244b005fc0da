package org.gaplab.engine.experiment.gibbs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.engine.train.TrainingListener;
import org.gaplab.engine.train.TrainingLoop;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The Gibbs particles as a step source of the one training loop. */
class GibbsParticlesLoopTest {
    @Test
    void particlesStepInScopesAndDrainTheObjectivePerRun() {
        UnimodalGibbsConfig c = UnimodalGibbsConfig.quick().withSteps(450);
        double[] invTau = {10, 2};
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray v = m.randomNormal(new Shape(2, c.particles(), 3), DataType.FLOAT32);
            List<Integer> counts = new ArrayList<>();
            List<IntervalMetrics> drained = new ArrayList<>();
            try (Particles p = new Particles(m, c, v, new long[] {0, 1}, invTau)) {
                TrainingLoop.Outcome o = TrainingLoop.run(p, c.steps(), UnimodalGibbs.NOISE_BLOCK,
                        List.of(TrainingListener.atIntervals((loop, im) -> {
                            drained.add(im);
                            counts.add(m.getManagedArrays().size());
                        })));
                assertThat(o.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(p.lastObjective.getShape()).isEqualTo(new Shape(2));
            }
            // a scope per step: the live array count is the same at every drain (one per noise block),
            // but for the last step's objective, which is kept on purpose
            assertThat(counts).hasSize(9);
            assertThat(counts.subList(0, 8)).containsOnly(counts.get(0));
            assertThat(counts.get(8)).isEqualTo(counts.get(0) + 1);
            for (IntervalMetrics im : drained) {
                assertThat(im.steps()).isEqualTo(UnimodalGibbs.NOISE_BLOCK);
                assertThat(im.nonFiniteRuns()).isEmpty();
                assertThat(im.logitScale()).containsExactly(invTau);
            }
            // the mean objective J falls from the first interval to the last, at both temperatures
            for (int r = 0; r < 2; r++) {
                assertThat(drained.get(8).loss()[r]).isLessThan(drained.get(0).loss()[r]);
            }
        }
    }
}
