package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.Precision;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.train.Trainer;
import org.gaplab.models.TemperatureConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The closed-form symmetric InfoNCE gradient must equal autograd's. */
class ClosedFormGradientTest {
    @Test
    void gradientsMatchAutogradOnRandomUnitEmbeddings() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray z1 = unit(m.randomNormal(new Shape(3, 32, 4), DataType.FLOAT64));
            NDArray z2 = unit(m.randomNormal(new Shape(3, 32, 4), DataType.FLOAT64));
            NDArray logScale = m.create(new double[] {Math.log(1 / 0.07), Math.log(2), Math.log(60)});
            ClosedFormSymmetricInfoNce.Result closed = ClosedFormSymmetricInfoNce.compute(z1, z2, logScale.exp());
            z1.setRequiresGradient(true);
            z2.setRequiresGradient(true);
            logScale.setRequiresGradient(true);
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = new SymmetricInfoNce().perRun(z1, z2, logScale.exp());
                gc.backward(loss.sum());
            }
            assertClose(closed.loss().toDoubleArray(), loss.toDoubleArray(), 1e-10);
            assertClose(closed.gradZ1().toDoubleArray(), z1.getGradient().toDoubleArray(), 1e-10);
            assertClose(closed.gradZ2().toDoubleArray(), z2.getGradient().toDoubleArray(), 1e-10);
            assertClose(closed.gradLogScale().toDoubleArray(), logScale.getGradient().toDoubleArray(), 1e-10);
        }
    }

    /**
     * Row-blocked logits (B = 50 in blocks of 1, 7 and 32: uneven tails, a single row) give the
     * unblocked loss and gradients up to summation order, learnable scale included.
     */
    @Test
    void rowBlockedLogitsMatchTheWholeMatrix() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(9);
            NDArray z1 = unit(m.randomNormal(new Shape(2, 50, 3), DataType.FLOAT64));
            NDArray z2 = unit(m.randomNormal(new Shape(2, 50, 3), DataType.FLOAT64));
            NDArray scale = m.create(new double[] {1 / 0.07, 5});
            ClosedFormSymmetricInfoNce.Result whole = ClosedFormSymmetricInfoNce.compute(z1, z2, scale, true);
            for (int block : new int[] {1, 7, 32, 50}) {
                ClosedFormSymmetricInfoNce.Result r = ClosedFormSymmetricInfoNce.compute(z1, z2, scale, true, block);
                assertClose(r.loss().toDoubleArray(), whole.loss().toDoubleArray(), 1e-12);
                assertClose(r.gradZ1().toDoubleArray(), whole.gradZ1().toDoubleArray(), 1e-12);
                assertClose(r.gradZ2().toDoubleArray(), whole.gradZ2().toDoubleArray(), 1e-12);
                assertClose(r.gradLogScale().toDoubleArray(), whole.gradLogScale().toDoubleArray(), 1e-12);
                assertThat(ClosedFormSymmetricInfoNce.compute(z1, z2, scale, false, block).gradLogScale()).isNull();
            }
        }
    }

    @Test
    void trainingWithTheClosedFormEqualsTrainingWithAutograd() {
        for (TemperatureConfig temperature : List.of(TemperatureConfig.fixed(0.07), TemperatureConfig.clip())) {
            RunConfig base = RunConfig.defaults().withPrecision(Precision.FLOAT64).withBatchSize(64)
                    .withData(CircleMixtureConfig.paper(0.3)).withModel(RunConfig.defaults().model().withTemperature(temperature));
            RunConfig autograd = base.withLoss(new LossConfig(LossConfig.Kind.SYMMETRIC_INFONCE, -10, false));
            double[][] a = train(List.of(base.withSeed(1), base.withSeed(2)));
            double[][] b = train(List.of(autograd.withSeed(1), autograd.withSeed(2)));
            assertClose(a[0], b[0], 1e-9);
            assertClose(a[1], b[1], 1e-9);
        }
    }

    /** @return {losses per run, all parameters flattened} after 40 steps */
    private static double[][] train(List<RunConfig> runs) {
        try (Trainer t = new Trainer(runs, Device.cpu())) {
            assertThat(t.embeddingSplit()).isEqualTo(runs.get(0).loss().closedForm());
            for (int i = 0; i < 40; i++) {
                t.step();
            }
            double[] loss = t.drainMetrics().loss();
            double[] params = t.model().parameters().asList().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
            return new double[][] {loss, params};
        }
    }

    private static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(tol * Math.max(1, Math.abs(expected[i]))));
        }
    }

    private static NDArray unit(NDArray z) {
        return z.div(z.norm(new int[] {-1}, true));
    }
}
