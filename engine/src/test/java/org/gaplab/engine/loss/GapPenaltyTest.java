package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

/** The gap penalties against plain double-precision references: value and gradient. */
class GapPenaltyTest {
    private static final int B = 5;
    private static final int D = 3;

    private static double[] points(long seed) {
        Random r = new Random(seed);
        double[] z = new double[2 * B * D];
        for (int i = 0; i < z.length; i++) {
            z[i] = r.nextGaussian();
        }
        return z;
    }

    private static double d2(double[] z, int i, int j) {
        double s = 0;
        for (int k = 0; k < D; k++) {
            double t = z[i * D + k] - z[j * D + k];
            s += t * t;
        }
        return s;
    }

    /** Rows 0..B-1 are z1, rows B..2B-1 are z2; the bandwidth is PyTorch's lower median of cross d^2. */
    private static double bandwidth(double[] z) {
        double[] cross = new double[B * B];
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                cross[i * B + j] = d2(z, i, B + j);
            }
        }
        Arrays.sort(cross);
        return cross[(cross.length - 1) / 2];
    }

    private static double mmd(double[] z, double s2) {
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                xx += Math.exp(-d2(z, i, j) / (2 * s2));
                yy += Math.exp(-d2(z, B + i, B + j) / (2 * s2));
                xy += Math.exp(-d2(z, i, B + j) / (2 * s2));
            }
        }
        return (xx + yy - 2 * xy) / (B * B);
    }

    private static double centroid(double[] z) {
        double s = 0;
        for (int k = 0; k < D; k++) {
            double c = 0;
            for (int i = 0; i < B; i++) {
                c += (z[i * D + k] - z[(B + i) * D + k]) / B;
            }
            s += c * c;
        }
        return s;
    }

    private interface Plain {
        double value(double[] z);
    }

    private static void check(CrossModalPenalty penalty, Plain plain, double[] z) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray all = m.create(z, new Shape(2, B, D));
            all.setRequiresGradient(true);
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = penalty.perRun(all.get(0).expandDims(0), all.get(1).expandDims(0));
                value = v.toType(DataType.FLOAT64, false).getDouble(0);
                gc.backward(v.sum());
            }
            assertThat(value).isCloseTo(plain.value(z), within(1e-12));
            double[] grad = all.getGradient().toDoubleArray();
            for (int i = 0; i < z.length; i++) {
                double[] up = z.clone();
                double[] down = z.clone();
                up[i] += 1e-6;
                down[i] -= 1e-6;
                double fd = (plain.value(up) - plain.value(down)) / 2e-6;
                assertThat(grad[i]).as("coordinate %d", i).isCloseTo(fd, within(1e-7));
            }
        }
    }

    @Test
    void mmdValueAndGradientMatchThePlainSumAtAFixedBandwidth() {
        double[] z = points(1);
        double s2 = bandwidth(z);
        // the reference holds the bandwidth fixed, as the penalty's backward pass does
        check(new MmdPenalty(), x -> mmd(x, s2), z);
        assertThat(mmd(z, s2)).isPositive();
    }

    @Test
    void centroidGapValueAndGradientMatchThePlainSum() {
        check(new CentroidGapPenalty(), GapPenaltyTest::centroid, points(2));
    }

    @Test
    void identicalBatchesPayNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.randomNormal(new Shape(1, B, D)).toType(DataType.FLOAT64, false);
            assertThat(new MmdPenalty().perRun(z, z).getDouble(0)).isCloseTo(0, within(1e-12));
            assertThat(new CentroidGapPenalty().perRun(z, z).getDouble(0)).isCloseTo(0, within(1e-12));
        }
    }
}
