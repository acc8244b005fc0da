package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

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

    private static final boolean[] ENERGY_THEN_MMD = {true, false, false};

    /** U-statistic means [kernel][xx, yy, xy] of two independent samples. */
    private static double[][] twoSampleMeans(double[][] x, double[][] y, Pairwise p) {
        int[] counts = new int[x.length];
        java.util.Arrays.fill(counts, 1);
        PooledPass.Result r = PooledPass.run(Samples.array(manager, Samples.concat(x, y)),
                new PooledPass.Plan(x.length, counts, kernels(), 3, 0, 0, new int[] {1}, 0, true), p);
        double[][] out = new double[3][];
        for (int k = 0; k < 3; k++) {
            out[k] = new double[] {r.sxx()[k][0], r.syy()[k][0], r.sxy()[k][0]};
        }
        return out;
    }

    private static double energy(double[] m) {
        return EnergyDistance.fromMeans(m[0], m[1], m[2]).energy();
    }

    private static double mmd(double[] m) {
        return Mmd.fromMeans(m[0], m[1], m[2]);
    }

    @Test
    void energyAndMmdVanishForOneDistributionSplitInTwoAndNotUnderAShift() {
        double[][] all = Samples.uniformSphere(1600, 3, 1);
        double[][] x = java.util.Arrays.copyOfRange(all, 0, 800);
        double[][] y = java.util.Arrays.copyOfRange(all, 800, 1600);
        double[][] same = twoSampleMeans(x, y, ONE_SHOT);
        // unbiased U-statistics: centred on 0 (sd about 1e-3 at n = 800), so small and of either sign
        assertThat(energy(same[0])).isBetween(-0.005, 0.005);
        assertThat(mmd(same[1])).isBetween(-0.003, 0.003);
        // E||X - X'|| on uniform S^2 is 4/3 exactly for distinct draws
        assertThat(same[0][0]).isCloseTo(4.0 / 3, within(0.02));
        double[][] shifted = Samples.vonMisesCircle(800, 1.0, 3, 2);
        double[][] shifted3 = new double[800][];
        for (int i = 0; i < 800; i++) {
            shifted3[i] = new double[] {shifted[i][0], shifted[i][1], 0};
        }
        double[][] apart = twoSampleMeans(x, shifted3, ONE_SHOT);
        assertThat(energy(apart[0])).isGreaterThan(0.1);
        assertThat(mmd(apart[1])).isGreaterThan(0.05);
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
            double p = PermutationTest.run(x, y, kernels(), ENERGY_THEN_MMD, 99, t, ONE_SHOT).pValues()[0];
            sum += p;
            rejections += p < 0.05 ? 1 : 0;
        }
        // uniform p: mean 0.5 (sd of the mean 0.065), about 1 rejection in 20
        assertThat(sum / tests).isBetween(0.3, 0.7);
        assertThat(rejections).isLessThanOrEqualTo(4);
        NDArray x = Samples.array(manager, Samples.uniformSphere(150, 3, 1));
        NDArray shifted = Samples.array(manager, Samples.gaussian(150, 3, 0.5, 0.3, 2));
        PermutationTest.Result r = PermutationTest.run(x, shifted, kernels(), ENERGY_THEN_MMD, 99, 9, ONE_SHOT);
        for (double p : r.pValues()) {
            assertThat(p).isEqualTo(0.01); // (1 + 0) / (99 + 1): no permutation reaches the observed value
        }
    }

    @Test
    void chunkedEqualsOneShotAndThePlainReference() {
        double[][] a = Samples.gaussian(300, 4, 0, 1, 5);
        double[][] b = Samples.gaussian(260, 4, 0.3, 1, 6);
        assertThat(CHUNKED.chunkRows(560, 8)).isLessThan(100); // really chunked
        double[][] chunked = twoSampleMeans(a, b, CHUNKED);
        double[][] oneShot = twoSampleMeans(a, b, ONE_SHOT);
        // plain double loops: cross means, and within-a means over distinct pairs
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
        double within = 0;
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 300; j++) {
                if (i != j) {
                    double d2 = 0;
                    for (int c = 0; c < 4; c++) {
                        d2 += (a[i][c] - a[j][c]) * (a[i][c] - a[j][c]);
                    }
                    within += Math.exp(-d2 / (2 * 0.25));
                }
            }
        }
        within /= 300.0 * 299;
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++) {
                assertThat(chunked[k][i]).isCloseTo(oneShot[k][i], within(1e-10));
            }
        }
        assertThat(chunked[0][2]).isCloseTo(cross, within(1e-9));
        assertThat(chunked[1][2]).isCloseTo(rbfCross, within(1e-9));
        assertThat(chunked[1][0]).isCloseTo(within, within(1e-9));

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
    void wholeSetRetrievalEqualsAPlainReference() {
        // 300 images with 0 to 8 captions each (uneven, some none), d = 3, scored in row chunks
        SplittableRandom rng = new SplittableRandom(41);
        double[][] img = Samples.uniformSphere(300, 3, 42);
        java.util.List<double[]> caps = new java.util.ArrayList<>();
        java.util.List<Integer> owner = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int c = rng.nextInt(9);
            for (int k = 0; k < c; k++) {
                double[] v = new double[3];
                double norm = 0;
                for (int j = 0; j < 3; j++) {
                    v[j] = img[i][j] + 0.6 * Samples.gauss(rng);
                    norm += v[j] * v[j];
                }
                for (int j = 0; j < 3; j++) {
                    v[j] /= Math.sqrt(norm);
                }
                caps.add(v);
                owner.add(i);
            }
        }
        double[][] cap = caps.toArray(new double[0][]);
        int[] partner = owner.stream().mapToInt(Integer::intValue).toArray();
        int[] shuffled = partner.clone();
        PermutationTest.shuffle(shuffled, new SplittableRandom(43));
        Pairwise tiny = new Pairwise(1L << 20);
        assertThat(tiny.chunkRows(cap.length, 4)).isLessThan(300); // really chunked
        FullSetRetrieval.Result r = FullSetRetrieval.compute(Samples.array(manager, img), Samples.array(manager, cap), partner, shuffled,
                Double.NaN, null, tiny);
        for (int[] pairing : List.of(partner, shuffled)) {
            FullSetRetrieval.Recall got = pairing == partner ? r.real() : r.shuffled();
            FullSetRetrieval.Recall want = plainRecall(img, cap, pairing);
            assertThat(got.recall1to2()).containsExactly(want.recall1to2(), within(1e-12));
            assertThat(got.recall2to1()).containsExactly(want.recall2to1(), within(1e-12));
            assertThat(got.meanRank1to2()).isCloseTo(want.meanRank1to2(), within(1e-9));
            assertThat(got.medianRank1to2()).isEqualTo(want.medianRank1to2());
            assertThat(got.meanRank2to1()).isCloseTo(want.meanRank2to1(), within(1e-9));
            assertThat(got.medianRank2to1()).isEqualTo(want.medianRank2to1());
        }
        assertThat(r.real().recall1to2()[0]).isGreaterThan(r.shuffled().recall1to2()[0]);
        // the partition fields streamed in the same pass equal the plain chunked ones (one-to-one, unique weights)
        NDArray za = Samples.array(manager, Samples.uniformSphere(400, 3, 45));
        NDArray zb = Samples.array(manager, Samples.uniformSphere(400, 3, 46));
        FullSetRetrieval.Result f = FullSetRetrieval.compute(za, zb, PermutationTest.identity(400), null, 0.1, null, tiny);
        double a = -f.pairScoreMean() / 0.1;
        assertThat(a + 0.5 * f.logField12() + 0.5 * f.logField21())
                .isCloseTo(TheoryTerms.largeBatchEnergy(za, zb, a, 0.1, ONE_SHOT), within(1e-10));
        // identical embeddings, one caption each: every query ranks its partner first
        double[][] same = Samples.uniformSphere(50, 4, 44);
        FullSetRetrieval.Recall id = FullSetRetrieval.compute(Samples.array(manager, same), Samples.array(manager, same),
                PermutationTest.identity(50), null, Double.NaN, null, tiny).real();
        assertThat(id.recall1to2()[0]).isEqualTo(1.0);
        assertThat(id.recall2to1()[0]).isEqualTo(1.0);
        assertThat(id.medianRank2to1()).isEqualTo(1.0);
    }

    /** The protocol with plain loops: ranks count strictly higher scores. */
    private static FullSetRetrieval.Recall plainRecall(double[][] img, double[][] cap, int[] partner) {
        int n1 = img.length;
        int n2 = cap.length;
        double[][] s = new double[n1][n2];
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n2; j++) {
                for (int c = 0; c < img[i].length; c++) {
                    s[i][j] += img[i][c] * cap[j][c];
                }
            }
        }
        java.util.List<Long> r12 = new java.util.ArrayList<>();
        for (int i = 0; i < n1; i++) {
            double best = Double.NEGATIVE_INFINITY;
            boolean any = false;
            for (int j = 0; j < n2; j++) {
                if (partner[j] == i) {
                    best = Math.max(best, s[i][j]);
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            long above = 0;
            for (int j = 0; j < n2; j++) {
                above += s[i][j] > best ? 1 : 0;
            }
            r12.add(above + 1);
        }
        long[] r21 = new long[n2];
        for (int j = 0; j < n2; j++) {
            long above = 0;
            for (int i = 0; i < n1; i++) {
                above += s[i][j] > s[partner[j]][j] ? 1 : 0;
            }
            r21[j] = above + 1;
        }
        long[] a = r12.stream().mapToLong(Long::longValue).toArray();
        double[] k12 = new double[3];
        double[] k21 = new double[3];
        int[] ks = {1, 5, 10};
        for (int k = 0; k < 3; k++) {
            for (long v : a) {
                k12[k] += v <= ks[k] ? 1.0 / a.length : 0;
            }
            for (long v : r21) {
                k21[k] += v <= ks[k] ? 1.0 / n2 : 0;
            }
        }
        return new FullSetRetrieval.Recall(k12, k21, java.util.Arrays.stream(a).average().orElseThrow(), median(a),
                java.util.Arrays.stream(r21).average().orElseThrow(), median(r21));
    }

    private static double median(long[] a) {
        long[] b = a.clone();
        java.util.Arrays.sort(b);
        int n = b.length;
        return n % 2 == 1 ? b[n / 2] : 0.5 * (b[n / 2 - 1] + b[n / 2]);
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
