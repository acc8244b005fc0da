package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LossTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Three unit vectors on S^1 at angles 0, pi/2, pi and partners at 0, pi/2, pi/2. */
    private NDArray[] threeByThree() {
        double[][] a = {{1, 0}, {0, 1}, {-1, 0}};
        double[][] b = {{1, 0}, {0, 1}, {0, 1}};
        return new NDArray[] {m.create(a).expandDims(0), m.create(b).expandDims(0)};
    }

    @Test
    void symmetricInfoNceMatchesHandWorkedThreeByThree() {
        // tau = 1. S = A B^T = [[1,0,0],[0,1,1],[-1,0,0]].
        // rows:  CE_0 = -1 + ln(e + 2),            CE_1 = -1 + ln(1 + 2e),   CE_2 = -0 + ln(e^-1 + 2)
        // cols:  col0 = (1,0,-1): -1 + ln(e + 1 + e^-1); col1 = (0,1,0): -1 + ln(2 + e); col2 = (0,1,0): -0 + ln(2 + e)
        double e = Math.E;
        double rows = (-1 + Math.log(e + 2)) + (-1 + Math.log(1 + 2 * e)) + Math.log(1 / e + 2);
        double cols = (-1 + Math.log(e + 1 + 1 / e)) + (-1 + Math.log(2 + e)) + Math.log(2 + e);
        double expected = 0.5 * (rows / 3 + cols / 3);
        NDArray[] z = threeByThree();
        double got = new SymmetricInfoNce().perRun(z[0], z[1], m.create(new double[] {1.0})).getDouble(0);
        assertThat(got).isCloseTo(expected, within(1e-12));
        // the one-directional halves average to the symmetric loss
        double xy = new DirectionalInfoNce(DirectionalInfoNce.Direction.X_TO_Y).perRun(z[0], z[1], m.create(new double[] {1.0})).getDouble(0);
        double yx = new DirectionalInfoNce(DirectionalInfoNce.Direction.Y_TO_X).perRun(z[0], z[1], m.create(new double[] {1.0})).getDouble(0);
        assertThat(xy).isCloseTo(rows / 3, within(1e-12));
        assertThat(yx).isCloseTo(cols / 3, within(1e-12));
    }

    @Test
    void symmetricInfoNceIsSymmetricUnderSwappingModalities() {
        NDArray z1 = unit(m.randomNormal(new Shape(2, 16, 3), DataType.FLOAT64));
        NDArray z2 = unit(m.randomNormal(new Shape(2, 16, 3), DataType.FLOAT64));
        NDArray scale = m.create(new double[] {3, 14});
        double[] a = new SymmetricInfoNce().perRun(z1, z2, scale).toDoubleArray();
        double[] b = new SymmetricInfoNce().perRun(z2, z1, scale).toDoubleArray();
        assertThat(a).containsExactly(b, within(1e-12));
        assertThat(a[0]).isNotCloseTo(a[1], within(1e-3));
    }

    @Test
    void identicalEmbeddingsGiveLnB() {
        int b = 64;
        NDArray one = unit(m.randomNormal(new Shape(1, 1, 4), DataType.FLOAT64));
        NDArray z = one.repeat(1, b);
        double loss = new SymmetricInfoNce().perRun(z, z, m.create(new double[] {1 / 0.07})).getDouble(0);
        assertThat(loss).isCloseTo(Math.log(b), within(1e-9));
    }

    @Test
    void unrelatedPairsGiveLnBAtLargeTauAndAboutLnBPlus12AtTau007() {
        int b = 256;
        Engine.getInstance().setRandomSeed(7);
        NDArray theta1 = m.randomUniform(0, (float) (2 * Math.PI), new Shape(1, b), DataType.FLOAT64);
        NDArray theta2 = m.randomUniform(0, (float) (2 * Math.PI), new Shape(1, b), DataType.FLOAT64);
        NDArray z1 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(theta1.cos(), theta1.sin()), 2);
        NDArray z2 = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(theta2.cos(), theta2.sin()), 2);
        double large = new SymmetricInfoNce().perRun(z1, z2, m.create(new double[] {1e-4})).getDouble(0);
        assertThat(large).isCloseTo(Math.log(b), within(1e-3));
        // at tau = 0.07 the pair term E[-cos]/tau ~ 0 but log-partition ~ log B + log I0(1/tau) ~ log B + 12
        double cold = new SymmetricInfoNce().perRun(z1, z2, m.create(new double[] {1 / 0.07})).getDouble(0);
        assertThat(cold - Math.log(b)).isBetween(10.5, 13.5);
    }

    @Test
    void sigmoidLossMatchesDirectSum() {
        NDArray[] z = threeByThree();
        double bias = -2;
        double total = 0;
        double[][] s = {{1, 0, 0}, {0, 1, 1}, {-1, 0, 0}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double label = i == j ? 1 : -1;
                total += Math.log(1 + Math.exp(-label * (s[i][j] + bias)));
            }
        }
        double got = new SigmoidPairLoss(bias).perRun(z[0], z[1], m.create(new double[] {1.0})).getDouble(0);
        assertThat(got).isCloseTo(total / 3, within(1e-12));
    }

    @Test
    void autogradMatchesFiniteDifferencesInFloat64() {
        // loss(W1, W2) through two linear maps onto the sphere, as in training
        Engine.getInstance().setRandomSeed(3);
        NDArray x = m.randomNormal(new Shape(1, 12, 2), DataType.FLOAT64);
        NDArray y = m.randomNormal(new Shape(1, 12, 2), DataType.FLOAT64);
        NDArray w = m.randomNormal(new Shape(1, 2, 2), DataType.FLOAT64);
        NDArray v = m.randomNormal(new Shape(1, 2, 2), DataType.FLOAT64);
        NDArray scale = m.create(new double[] {1 / 0.07});
        for (PairLoss loss : new PairLoss[] {new SymmetricInfoNce(), new DirectionalInfoNce(DirectionalInfoNce.Direction.Y_TO_X), new SigmoidPairLoss(-3)}) {
            w.setRequiresGradient(true);
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.perRun(unit(x.batchMatMul(w)), unit(y.batchMatMul(v)), scale).sum();
                gc.backward(l);
            }
            grad = w.getGradient().toDoubleArray();
            double[] base = w.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone();
                double[] minus = base.clone();
                plus[i] += h;
                minus[i] -= h;
                double fp = loss.perRun(unit(x.batchMatMul(m.create(plus, w.getShape()))), unit(y.batchMatMul(v)), scale).getDouble(0);
                double fm = loss.perRun(unit(x.batchMatMul(m.create(minus, w.getShape()))), unit(y.batchMatMul(v)), scale).getDouble(0);
                assertThat(grad[i]).as("%s dW[%d]", loss, i).isCloseTo((fp - fm) / (2 * h), within(1e-6));
            }
            w = w.duplicate();
        }
    }

    private static NDArray unit(NDArray z) {
        return z.div(z.norm(new int[] {-1}, true));
    }
}
