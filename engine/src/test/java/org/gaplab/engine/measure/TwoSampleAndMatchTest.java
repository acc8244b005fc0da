package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Energy distance, MMD and their permutation tests; the chunked primitives against one-shot and
 * plain-Java references; special functions against closed forms.
 */
class TwoSampleAndMatchTest {
    private static NDManager manager;
    /** 1 MiB: forces many chunks at n = 300. */
    private static final Pairwise CHUNKED = new Pairwise(1L << 20);
    /** 1 GiB: one chunk. */
    private static final Pairwise ONE_SHOT = new Pairwise(1L << 30);

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static List<DistanceKernel> kernels() {
        return List.of(DistanceKernel.distance(), DistanceKernel.rbf(0.5), DistanceKernel.rbf(1.0));
    }

    private static double[][][] twoSampleForms(double[][] x, double[][] y, Pairwise p) {
        int n = x.length + y.length;
        double[] w = new double[n * 2];
        for (int i = 0; i < x.length; i++) {
            w[2 * i] = 1.0 / x.length;
        }
        for (int j = 0; j < y.length; j++) {
            w[2 * (x.length + j) + 1] = 1.0 / y.length;
        }
        return p.quadraticForms(Samples.array(manager, Samples.concat(x, y)), manager.create(w, new ai.djl.ndarray.types.Shape(n, 2)),
                kernels());
    }

    @Test
    void energyAndMmdVanishForOneDistributionSplitInTwoAndNotUnderAShift() {
        double[][] all = Samples.uniformSphere(1600, 3, 1);
        double[][] x = java.util.Arrays.copyOfRange(all, 0, 800);
        double[][] y = java.util.Arrays.copyOfRange(all, 800, 1600);
        double[][][] same = twoSampleForms(x, y, ONE_SHOT);
        // V-statistics at n = 800 per side carry a bias of order 1/n: below 0.01 here
        assertThat(EnergyDistance.fromForms(same[0]).energy()).isBetween(0.0, 0.01);
        assertThat(Mmd.fromForms(same[1])).isBetween(0.0, 0.005);
        // E||X - X'|| on uniform S^2 is 4/3 (minus the 1/n share of zero diagonal terms)
        assertThat(EnergyDistance.fromForms(same[0]).within1()).isCloseTo(4.0 / 3, within(0.03));
        double[][] shifted = Samples.vonMisesCircle(800, 1.0, 3, 2);
        double[][] shifted3 = new double[800][];
        for (int i = 0; i < 800; i++) {
            shifted3[i] = new double[] {shifted[i][0], shifted[i][1], 0};
        }
        double[][][] apart = twoSampleForms(x, shifted3, ONE_SHOT);
        assertThat(EnergyDistance.fromForms(apart[0]).energy()).isGreaterThan(0.1);
        assertThat(Mmd.fromForms(apart[1])).isGreaterThan(0.05);
    }

    @Test
    void permutationPValuesAreUniformishUnderTheNullAndTinyUnderAShift() {
        // 20 null tests of 150 vs 150 points from one distribution, 99 permutations each
        int tests = 20;
        double sum = 0;
        int rejections = 0;
        for (int t = 0; t < tests; t++) {
            double[][] all = Samples.uniformSphere(300, 3, 100 + t);
            NDArray x = Samples.array(manager, java.util.Arrays.copyOfRange(all, 0, 150));
            NDArray y = Samples.array(manager, java.util.Arrays.copyOfRange(all, 150, 300));
            double p = PermutationTest.run(x, y, kernels(), new double[] {-1, 1, 1}, 99, t, ONE_SHOT).pValues()[0];
            sum += p;
            rejections += p < 0.05 ? 1 : 0;
        }
        // uniform p: mean 0.5 (sd of the mean 0.065), about 1 rejection in 20
        assertThat(sum / tests).isBetween(0.3, 0.7);
        assertThat(rejections).isLessThanOrEqualTo(4);
        NDArray x = Samples.array(manager, Samples.uniformSphere(150, 3, 1));
        NDArray shifted = Samples.array(manager, Samples.gaussian(150, 3, 0.5, 0.3, 2));
        PermutationTest.Result r = PermutationTest.run(x, shifted, kernels(), new double[] {-1, 1, 1}, 99, 9, ONE_SHOT);
        for (double p : r.pValues()) {
            assertThat(p).isEqualTo(0.01); // (1 + 0) / (99 + 1): no permutation reaches the observed value
        }
    }

    @Test
    void chunkedEqualsOneShotAndThePlainReference() {
        double[][] a = Samples.gaussian(300, 4, 0, 1, 5);
        double[][] b = Samples.gaussian(260, 4, 0.3, 1, 6);
        assertThat(CHUNKED.chunkRows(560, 7)).isLessThan(100); // really chunked
        double[][][] chunked = twoSampleForms(a, b, CHUNKED);
        double[][][] oneShot = twoSampleForms(a, b, ONE_SHOT);
        // plain double loops
        double cross = 0;
        double rbfCross = 0;
        for (double[] x : a) {
            for (double[] y : b) {
                double d2 = 0;
                for (int c = 0; c < 4; c++) {
                    d2 += (x[c] - y[c]) * (x[c] - y[c]);
                }
                cross += Math.sqrt(d2);
                rbfCross += Math.exp(-d2 / (2 * 0.25));
            }
        }
        cross /= 300.0 * 260;
        rbfCross /= 300.0 * 260;
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    assertThat(chunked[k][i][j]).isCloseTo(oneShot[k][i][j], within(1e-10));
                }
            }
        }
        assertThat(chunked[0][0][1]).isCloseTo(cross, within(1e-9));
        assertThat(chunked[1][0][1]).isCloseTo(rbfCross, within(1e-9));

        NDArray za = Samples.array(manager, Samples.uniformSphere(300, 4, 7));
        NDArray zb = Samples.array(manager, Samples.uniformSphere(260, 4, 8));
        assertThat(CHUNKED.kthNeighbourDistance(za, za, 3, true, Manifold.SPHERE))
                .containsExactly(ONE_SHOT.kthNeighbourDistance(za, za, 3, true, Manifold.SPHERE), within(1e-12));
        double[] cross3 = CHUNKED.kthNeighbourDistance(za, zb, 3, false, Manifold.SPHERE);
        assertThat(cross3).containsExactly(ONE_SHOT.kthNeighbourDistance(za, zb, 3, false, Manifold.SPHERE), within(1e-12));
        // plain reference for row 0: the third smallest geodesic distance to zb
        double[] row0 = new double[260];
        double[] q = za.get(0).toDoubleArray();
        double[] keys = zb.toDoubleArray();
        for (int j = 0; j < 260; j++) {
            double dot = 0;
            for (int c = 0; c < 4; c++) {
                dot += q[c] * keys[4 * j + c];
            }
            row0[j] = Math.acos(Math.max(-1, Math.min(1, dot)));
        }
        java.util.Arrays.sort(row0);
        assertThat(cross3[0]).isCloseTo(row0[2], within(1e-9));

        int[] partner = PermutationTest.identity(260);
        NDArray za260 = za.get("0:260");
        assertThat(Retrieval.compute(za260, zb, partner, CHUNKED).oneToTwo())
                .containsExactly(Retrieval.compute(za260, zb, partner, ONE_SHOT).oneToTwo());
        assertThat(CHUNKED.meanLogPartition(za, zb, 1 / 0.07)).isCloseTo(ONE_SHOT.meanLogPartition(za, zb, 1 / 0.07), within(1e-10));
        assertThat(CHUNKED.logMeanExpNegSquaredDistance(za, 2)).isCloseTo(ONE_SHOT.logMeanExpNegSquaredDistance(za, 2), within(1e-12));
        // uniformity reference: log mean over i != j of exp(-2 ||a_i - a_j||^2)
        double[] all = za.toDoubleArray();
        double s = 0;
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 300; j++) {
                if (i != j) {
                    double d2 = 0;
                    for (int c = 0; c < 4; c++) {
                        d2 += (all[4 * i + c] - all[4 * j + c]) * (all[4 * i + c] - all[4 * j + c]);
                    }
                    s += Math.exp(-2 * d2);
                }
            }
        }
        assertThat(CHUNKED.logMeanExpNegSquaredDistance(za, 2)).isCloseTo(Math.log(s / (300.0 * 299)), within(1e-10));
        // the finite-batch loss, chunked over batches vs one pass
        assertThat(TheoryTerms.finiteBatchLossMinusLogB(za260, zb, 64, 0.1, new Pairwise(1L << 20)))
                .isCloseTo(TheoryTerms.finiteBatchLossMinusLogB(za260, zb, 64, 0.1, ONE_SHOT), within(1e-9));
    }

    @Test
    void specialFunctionsMatchClosedForms() {
        double kappa = 1 / 0.07;
        // S^1: ln(2 pi I0(1/tau)) = 13.88 at tau = 0.07
        double logC1 = PartitionConstant.logCTau(2, 0.07);
        assertThat(logC1).isCloseTo(Math.log(2 * Math.PI) + Math.log(SpecialFunctions.besselIScaled(0, kappa)) + kappa, within(1e-9));
        assertThat(logC1).isCloseTo(13.88, within(0.005));
        // S^2: ln(4 pi sinh(kappa) / kappa), also at a large tau
        for (double tau : new double[] {0.07, 0.5, 3}) {
            double k = 1 / tau;
            double exact = Math.log(4 * Math.PI) + k + Math.log1p(-Math.exp(-2 * k)) - Math.log(2 * k);
            assertThat(PartitionConstant.logCTau(3, tau)).isCloseTo(exact, within(1e-7)); // trapezoid rule, 1e5 steps
        }
        // tau -> infinity: c_tau -> |S^(d-1)|
        assertThat(PartitionConstant.logCTau(768, 1e6)).isCloseTo(SpecialFunctions.logSphereArea(767), within(1e-5));
        assertThat(PartitionConstant.logCTau(768, 0.01)).isFinite();
        // caps: A_1(r) = 2r, A_2(r) = 2 pi (1 - cos r), A_p(pi) = |S^p|
        assertThat(SpecialFunctions.logCapArea(1, 0.3)).isCloseTo(Math.log(0.6), within(1e-12));
        for (double r : new double[] {1e-4, 0.3, 1.5, 2.5}) {
            assertThat(SpecialFunctions.logCapArea(2, r)).isCloseTo(Math.log(2 * Math.PI * (1 - Math.cos(r))), within(1e-6));
        }
        assertThat(SpecialFunctions.logCapArea(5, Math.PI)).isCloseTo(SpecialFunctions.logSphereArea(5), within(1e-9));
        // a small cap on S^767 underflows a double but not its log: ~ ln(V_767) + 767 ln r for small r
        assertThat(SpecialFunctions.logCapArea(767, 1e-3))
                .isCloseTo(SpecialFunctions.logUnitBallVolume(767) + 767 * Math.log(1e-3), within(1e-3));
        assertThat(SpecialFunctions.digamma(1)).isCloseTo(-0.5772156649015329, within(1e-10));
        assertThat(SpecialFunctions.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
    }
}
