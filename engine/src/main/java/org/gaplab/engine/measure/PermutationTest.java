package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Permutation tests of "the two samples come from one distribution" with the energy distance and
 * MMD^2 (both unbiased U-statistics) as statistics. The two independent samples are pooled, the
 * labels of the pooled points are permuted P times, and
 * <pre>
 *   p = (1 + #{ p : T(permutation p) >= T(observed) }) / (P + 1),
 * </pre>
 * a valid (slightly conservative) p-value when the pooled points are exchangeable under the null,
 * which holds for independent samples and fails for paired rows. All relabellings are evaluated
 * in the one pass over the pooled distance matrix that also serves the observed statistics
 * ({@link PooledPass}: each relabelling is an extra weight column).
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
     * @param statistic per labelling (index 0 = observed), larger = more evidence of a difference
     * @return {@code (1 + #exceed) / (P + 1)}; ties count against the observed labelling
     */
    static double pValue(double[] statistic) {
        int exceed = 0;
        double obs = statistic[0];
        for (int c = 1; c < statistic.length; c++) {
            if (statistic[c] >= obs - 1e-12 * Math.abs(obs)) {
                exceed++;
            }
        }
        return (1.0 + exceed) / statistic.length;
    }

    /**
     * The tests for two independent samples of distinct points.
     *
     * @param x sample X, {@code [nx, d]}
     * @param y sample Y, {@code [ny, d]}, same dtype
     * @param kernels the kernels
     * @param energyLike per kernel: true for a distance kernel (statistic {@code 2 xy - xx - yy}),
     *     false for a similarity kernel (MMD^2, {@code xx + yy - 2 xy})
     * @param permutations P >= 1
     * @param seed the only source of randomness
     * @param pairwise chunk budget
     * @return observed statistics and p-values, per kernel
     */
    public static Result run(NDArray x, NDArray y, List<DistanceKernel> kernels, boolean[] energyLike, int permutations, long seed,
            Pairwise pairwise) {
        return fromPass(PooledPass.runTwoSamples(x, y, kernels, permutations, seed, pairwise), energyLike, permutations);
    }

    /** The tests from a pass that carried the relabellings. */
    static Result fromPass(PooledPass.Result r, boolean[] energyLike, int permutations) {
        int kc = energyLike.length;
        double[] observed = new double[kc];
        double[] p = new double[kc];
        for (int k = 0; k < kc; k++) {
            double[] t = new double[permutations + 1];
            for (int c = 0; c <= permutations; c++) {
                double xx = r.sxx()[k][c];
                double yy = r.syy()[k][c];
                double xy = r.sxy()[k][c];
                t[c] = energyLike[k] ? 2 * xy - xx - yy : xx + yy - 2 * xy;
            }
            observed[k] = t[0];
            p[k] = pValue(t);
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
