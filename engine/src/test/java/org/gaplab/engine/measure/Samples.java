package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/** Test samples drawn on the host from explicit seeds, then copied to a manager. */
final class Samples {
    private Samples() {}

    /** n points of N(mean * 1, sd^2 I) in R^d (mean on every coordinate). */
    static double[][] gaussian(int n, int d, double mean, double sd, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = mean + sd * gauss(rng);
            }
        }
        return out;
    }

    /** n points uniform on S^(d-1). */
    static double[][] uniformSphere(int n, int d, long seed) {
        double[][] g = gaussian(n, d, 0, 1, seed);
        for (double[] row : g) {
            double norm = 0;
            for (double v : row) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                row[j] /= norm;
            }
        }
        return g;
    }

    /** Unit vectors (cos a, sin a) of von Mises angles (Best-Fisher rejection sampler). */
    static double[][] vonMisesCircle(int n, double mu, double kappa, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double tau = 1 + Math.sqrt(1 + 4 * kappa * kappa);
        double rho = (tau - Math.sqrt(2 * tau)) / (2 * kappa);
        double r = (1 + rho * rho) / (2 * rho);
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            double theta;
            while (true) {
                double z = Math.cos(Math.PI * rng.nextDouble());
                double f = (1 + r * z) / (r + z);
                double c = kappa * (r - f);
                double u2 = rng.nextDouble();
                if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) {
                    theta = (rng.nextDouble() > 0.5 ? 1 : -1) * Math.acos(f);
                    break;
                }
            }
            double a = mu + theta;
            out[i][0] = Math.cos(a);
            out[i][1] = Math.sin(a);
        }
        return out;
    }

    static double gauss(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static NDArray array(NDManager manager, double[][] rows) {
        int n = rows.length;
        int d = rows[0].length;
        double[] flat = new double[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return manager.create(flat, new Shape(n, d));
    }

    static double[][] concat(double[][] a, double[][] b) {
        double[][] out = new double[a.length + b.length][];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
