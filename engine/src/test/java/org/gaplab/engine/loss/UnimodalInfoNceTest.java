package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unimodal InfoNCE and its large-batch limit against plain double-precision references: the value
 * on a hand-sized example, the autograd gradient against central finite differences, and the
 * convergence {@code l_N - log N -> L_inf} where L_inf has a closed form.
 */
class UnimodalInfoNceTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    // A tiny example: B = 2 anchors in R^3, N = 3 negatives.
    private static final double[][] Z = {{0.6, 0.8, 0.0}, {0.0, 0.6, -0.8}};
    private static final double[][] V = {{0.48, 0.6, 0.64}, {0.0, 0.8, -0.6}};
    private static final double[][] W = {{1, 0, 0}, {0, 0, 1}, {0.36, 0.48, 0.8}};

    /** The plain loop definition of l_N; {@code gamma <= 0} selects the cosine critic. */
    static double reference(double[][] z, double[][] v, double[][] w, double tau, double gamma) {
        double total = 0;
        for (int i = 0; i < z.length; i++) {
            double pos = score(z[i], v[i], gamma) / tau;
            double sum = Math.exp(pos);
            for (double[] wj : w) {
                sum += Math.exp(score(z[i], wj, gamma) / tau);
            }
            total += -pos + Math.log(sum);
        }
        return total / z.length;
    }

    static double score(double[] a, double[] b, double gamma) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += gamma > 0 ? -gamma * (a[k] - b[k]) * (a[k] - b[k]) : a[k] * b[k];
        }
        return s;
    }

    private static NDArray stacked(double[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(1, rows.length, rows[0].length));
    }

    @Test
    void valueMatchesHandComputedLoss() {
        // cosine, tau = 1: anchor 0 has s_pos = 0.288 + 0.48 = 0.768, negatives 0.6, 0, 0.6
        double expected0 = -0.768 + Math.log(Math.exp(0.768) + Math.exp(0.6) + 1 + Math.exp(0.6));
        double expected1 = -0.96 + Math.log(Math.exp(0.96) + 1 + Math.exp(-0.8) + Math.exp(0.288 - 0.64));
        double expected = (expected0 + expected1) / 2;
        assertThat(reference(Z, V, W, 1, 0)).isCloseTo(expected, within(1e-12));
        for (double tau : new double[] {1, 0.1}) {
            for (double gamma : new double[] {0, 0.25}) {
                Critic c = gamma > 0 ? new RbfCritic(gamma) : new CosineCritic();
                try (NDManager scope = manager.newSubManager()) {
                    double got = new UnimodalInfoNce(c, tau).perRun(stacked(Z), stacked(V), stacked(W)).getDouble(0);
                    assertThat(got).as("%s tau %s", c, tau).isCloseTo(reference(Z, V, W, tau, gamma), within(1e-12));
                }
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double h = 1e-6;
        for (double gamma : new double[] {0, 0.25}) {
            Critic c = gamma > 0 ? new RbfCritic(gamma) : new CosineCritic();
            double tau = 0.5;
            try (NDManager scope = manager.newSubManager()) {
                NDArray z = stacked(Z);
                NDArray v = stacked(V);
                NDArray w = stacked(W);
                for (NDArray a : new NDArray[] {z, v, w}) {
                    a.setRequiresGradient(true);
                }
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    gc.backward(new UnimodalInfoNce(c, tau).perRun(z, v, w).sum());
                }
                double[][][] inputs = {Z, V, W};
                NDArray[] grads = {z.getGradient(), v.getGradient(), w.getGradient()};
                for (int t = 0; t < 3; t++) {
                    double[] g = grads[t].toDoubleArray();
                    double[][] x = inputs[t];
                    for (int i = 0; i < x.length; i++) {
                        for (int k = 0; k < x[i].length; k++) {
                            double keep = x[i][k];
                            x[i][k] = keep + h;
                            double up = reference(Z, V, W, tau, gamma);
                            x[i][k] = keep - h;
                            double down = reference(Z, V, W, tau, gamma);
                            x[i][k] = keep;
                            assertThat(g[i * x[i].length + k]).as("%s d/d input %d [%d,%d]", c, t, i, k)
                                    .isCloseTo((up - down) / (2 * h), within(1e-7));
                        }
                    }
                }
            }
        }
    }

    /**
     * Uniform negatives on S^2 have the partition field {@code E exp(<z,w>/tau) = tau sinh(1/tau)}
     * for every unit z, so {@code L_inf = -(1/tau) mean <z_i, v_i> + log(tau sinh(1/tau))}. With
     * R = 16 independent negative sets stacked as runs, the mean absolute gap of
     * {@code l_N - log N} to it must shrink with N and be small at N = 65536.
     */
    @Test
    void finiteLossMinusLogNApproachesLargeBatchValue() {
        double tau = 0.5;
        int runs = 16;
        try (NDManager scope = manager.newSubManager()) {
            scope.getEngine().setRandomSeed(7);
            NDArray z = unit(scope.randomNormal(new Shape(runs, 8, 3), DataType.FLOAT64));
            NDArray v = unit(z.add(scope.randomNormal(new Shape(runs, 8, 3), DataType.FLOAT64).mul(0.3)));
            double[] closed = z.mul(v).sum(new int[] {2}).mean(new int[] {1}).div(-tau)
                    .add(Math.log(tau * Math.sinh(1 / tau))).toDoubleArray();
            UnimodalInfoNce loss = new UnimodalInfoNce(new CosineCritic(), tau);
            double previous = Double.POSITIVE_INFINITY;
            for (int n : new int[] {16, 256, 4096, 65536}) {
                NDArray w = unit(scope.randomNormal(new Shape(runs, n, 3), DataType.FLOAT64));
                double[] ln = loss.perRun(z, v, w).sub(Math.log(n)).toDoubleArray();
                double[] inf = new PartitionFieldEnergy(new CosineCritic(), tau).perRun(z, v, w).toDoubleArray();
                double gap = 0;
                for (int k = 0; k < runs; k++) {
                    gap += Math.abs(ln[k] - closed[k]) / runs;
                    // the same negatives: l_N - log N exceeds the plug-in L_inf by log(1 + e^{s+}/sum) in (0, O(1/N))
                    assertThat(ln[k] - inf[k]).isPositive().isLessThan(8.0 * Math.exp(2 / tau) / n);
                }
                assertThat(gap).as("mean |l_N - log N - L_inf| at N = %d", n).isLessThan(previous);
                previous = gap;
            }
            assertThat(previous).isLessThan(0.01);
        }
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.norm(new int[] {2}, true));
    }
}
