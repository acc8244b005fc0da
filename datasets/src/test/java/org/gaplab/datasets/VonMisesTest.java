package org.gaplab.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

class VonMisesTest {
    /** CDF of vM(0, kappa) on (-pi, pi] by Simpson integration of exp(kappa cos t) / (2 pi I0(kappa)). */
    static double[] cdfGrid(double kappa, int n) {
        double[] f = new double[n + 1];
        double h = 2 * Math.PI / n;
        for (int i = 0; i <= n; i++) {
            f[i] = Math.exp(kappa * (Math.cos(-Math.PI + i * h) - 1));
        }
        double[] cdf = new double[n + 1];
        for (int i = 1; i <= n; i++) {
            cdf[i] = cdf[i - 1] + h * (f[i - 1] + f[i]) / 2;
        }
        for (int i = 0; i <= n; i++) {
            cdf[i] /= cdf[n];
        }
        return cdf;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 6, 40})
    void samplesFollowTheVonMisesCdf(double kappa) {
        assertFollowsTheCdf(kappa, VonMises.FIRST_ROUNDS);
    }

    /**
     * With one first-pass round about a third of the samples (31 % at kappa 6, 34 % at 40) come
     * from the compact refill passes, so a refill that put values in the wrong places or skewed
     * them would fail the KS test here.
     */
    @ParameterizedTest
    @ValueSource(doubles = {6, 40})
    void refilledSamplesFollowTheVonMisesCdfToo(double kappa) {
        assertFollowsTheCdf(kappa, 1);
    }

    private static void assertFollowsTheCdf(double kappa, int firstRounds) {
        int n = 20000;
        double[] x;
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            x = VonMises.sample(m, kappa, n, DataType.FLOAT64, firstRounds).toDoubleArray();
        }
        Arrays.sort(x);
        assertThat(x[0]).isGreaterThanOrEqualTo(-Math.PI);
        assertThat(x[n - 1]).isLessThanOrEqualTo(Math.PI);
        int grid = 200000;
        double[] cdf = cdfGrid(kappa, grid);
        double ks = 0;
        for (int i = 0; i < n; i++) {
            double pos = (x[i] + Math.PI) / (2 * Math.PI) * grid;
            int j = Math.min(grid - 1, (int) pos);
            double f = cdf[j] + (cdf[j + 1] - cdf[j]) * (pos - j);
            ks = Math.max(ks, Math.max(Math.abs(f - (double) i / n), Math.abs(f - (i + 1.0) / n)));
        }
        // Kolmogorov-Smirnov at level 0.001: 1.95 / sqrt(n)
        assertThat(ks).as("KS statistic").isLessThan(1.95 / Math.sqrt(n));
        // mean resultant length E cos = I1(kappa) / I0(kappa)
        double meanCos = Arrays.stream(x).map(Math::cos).average().orElseThrow();
        assertThat(meanCos).isCloseTo(besselRatio(kappa), within(0.02));
    }

    static double besselRatio(double kappa) {
        double i0 = 0;
        double i1 = 0;
        int n = 100000;
        for (int i = 0; i < n; i++) {
            double t = Math.PI * (i + 0.5) / n;
            double e = Math.exp(kappa * (Math.cos(t) - 1));
            i0 += e;
            i1 += e * Math.cos(t);
        }
        return i1 / i0;
    }
}
