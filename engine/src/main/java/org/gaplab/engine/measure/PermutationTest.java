package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Permutation tests of "the two samples come from one distribution" with the energy distance and
 * MMD^2 as statistics. Pool the n_X + n_Y points, relabel them at random P times, and compare:
 * <pre>
 *   p = (1 + #{ p : T(permutation p) >= T(observed) }) / (P + 1),
 * </pre>
 * which is a valid (slightly conservative) p-value. Every statistic is a quadratic form
 * {@code T = sign * w^T K w} in the label weights {@code w = 1_X/n_X - 1_Y/n_Y} (sign -1 for the
 * energy distance's distance kernel, +1 for MMD's RBF kernels), so all permutations are evaluated
 * in one chunked pass over the pooled kernel matrices, as columns of W.
 */
public final class PermutationTest {
    private PermutationTest() {}

    /**
     * @param observed the statistic on the true labels, per kernel
     * @param pValues the permutation p-value, per kernel
     * @param permutations P
     */
    public record Result(double[] observed, double[] pValues, int permutations) {}

    /**
     * @param x sample X, {@code [nx, d]}
     * @param y sample Y, {@code [ny, d]}
     * @param kernels the kernels
     * @param signs +1 or -1 per kernel (see the class comment)
     * @param permutations P >= 1
     * @param seed the only source of randomness
     * @param pairwise chunked primitives
     * @return observed statistics and p-values, per kernel
     */
    public static Result run(NDArray x, NDArray y, List<DistanceKernel> kernels, double[] signs, int permutations, long seed,
            Pairwise pairwise) {
        int nx = (int) x.getShape().get(0);
        int ny = (int) y.getShape().get(0);
        int n = nx + ny;
        int kc = kernels.size();
        double[] observed = new double[kc];
        int[] exceed = new int[kc];
        SplittableRandom rng = new SplittableRandom(seed);
        // columns per pass: bound W ([n, cols] float64) by a quarter of the budget
        int perPass = Math.max(2, Math.min(permutations + 1, pairwise.chunkRows(n, 4)));
        try (NDManager scope = x.getManager().newSubManager()) {
            Pairwise.tempAttach(scope, x, y);
            NDArray pooled = NDArrays.concat(new NDList(x, y));
            int done = 0; // columns done; column 0 is the observed labelling
            while (done < permutations + 1) {
                int cols = Math.min(perPass, permutations + 1 - done);
                double[] w = new double[n * cols];
                for (int c = 0; c < cols; c++) {
                    int[] order = identity(n);
                    if (done + c > 0) {
                        shuffle(order, rng);
                    }
                    for (int i = 0; i < n; i++) {
                        w[order[i] * cols + c] = i < nx ? 1.0 / nx : -1.0 / ny;
                    }
                }
                double[][][] forms;
                try (NDArray weights = scope.create(w, new Shape(n, cols))) {
                    forms = pairwise.quadraticForms(pooled, weights, kernels);
                }
                for (int k = 0; k < kc; k++) {
                    for (int c = 0; c < cols; c++) {
                        double t = signs[k] * forms[k][c][c];
                        if (done + c == 0) {
                            observed[k] = t;
                        } else if (t >= observed[k] - 1e-12 * Math.abs(observed[k])) {
                            exceed[k]++; // ties count against the observed labelling
                        }
                    }
                }
                done += cols;
            }
        }
        double[] p = new double[kc];
        for (int k = 0; k < kc; k++) {
            p[k] = (1.0 + exceed[k]) / (permutations + 1.0);
        }
        return new Result(observed, p, permutations);
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Fisher-Yates. */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
