package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The report as a whole: independent two-sample statistics under a paired null, closed-form
 * divergences from paired and unpaired rows, reliability flags that read both ways, marginals,
 * the shuffle control, notes for changed requests, serialisation, input checks.
 */
class GapMeasurerTest {
    private static NDManager manager;
    private static final GapMeasurer.Source SRC = new GapMeasurer.Source("embeddings", "a", "b", "by index");

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** A uniform on S^(d-1), B = normalise(A + noise * N(0, I)): both marginals uniform, divergence 0. */
    private static double[][][] pairedNull(int n, int d, double noise, long seed) {
        double[][] a = Samples.uniformSphere(n, d, seed);
        double[][] b = new double[n][d];
        SplittableRandom rng = new SplittableRandom(seed + 1000);
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                b[i][j] = a[i][j] + noise * Samples.gauss(rng);
                norm += b[i][j] * b[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                b[i][j] /= norm;
            }
        }
        return new double[][][] {a, b};
    }

    private static GapReport measure(MeasureOptions o, double[][] a, double[][] b, int[] partner) {
        return new GapMeasurer(o).measure(Samples.array(manager, a), Samples.array(manager, b), partner, SRC);
    }

    @Test
    void pairedNullOnS7ReadsNoDivergenceAndTheFlagsReadReliable() {
        // the case: paired rows of one law; on paired rows k-NN J read -0.47
        double[][][] z = pairedNull(2000, 8, 0.15, 1);
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(3).withSubsampleSize(1000).withPermutations(0)
                .withShuffleControl(false);
        GapReport r = measure(o, z[0], z[1], null);
        assertThat(r.estimate("knn_jeffreys").mean()).isCloseTo(0.0, within(0.15));
        // intrinsic dimension 7 <= log2(1000 / 5) = 7.6, and stable across k and m/2
        for (String name : List.of("knn_jeffreys", "knn_dsym", "entropy_1", "entropy_2")) {
            assertThat(r.estimate(name).reliable()).as(r.estimate(name).reason()).isTrue();
            assertThat(r.estimate(name).reason()).contains("intrinsic dimension 7").contains("m = 1000").contains("k = 5");
        }
        // uniform on S^7: H = ln |S^7| = ln(pi^4 / 3)
        assertThat(r.estimate("entropy_1").mean()).isCloseTo(Math.log(Math.pow(Math.PI, 4) / 3), within(0.1));
        assertThat(ReportText.table(r)).doesNotContain("WARNING");
    }

    @Test
    void pairedNullEnergyAndMmdAreCentredOnZeroAndPermutationTestsKeepTheirLevel() {
        // 30 independent data sets of the paired null, each measured once (m = 150 per side)
        int reps = 30;
        double[] energy = new double[reps];
        double[] mmd = new double[reps];
        int rejections = 0;
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(1).withSubsampleSize(150).withPermutations(99)
                .withShuffleControl(false).withBatchSizes();
        for (int t = 0; t < reps; t++) {
            double[][][] z = pairedNull(300, 8, 0.15, 100 + t);
            GapReport r = measure(o.withSeed(t), z[0], z[1], null);
            energy[t] = r.estimate("energy_distance").mean();
            mmd[t] = r.estimate("mmd2_rbf_1x").mean();
            rejections += r.permutationTests().get(0).pValue() <= 0.1 ? 1 : 0;
        }
        // unbiased: the mean over 30 data sets is within 3 standard errors of 0 (a V-statistic's
        // bias 2 E||X-Y|| / m = 0.019 here is about 10 of them)
        assertThat(Math.abs(Moments.mean(energy))).isLessThan(3 * Moments.sampleStd(energy) / Math.sqrt(reps));
        assertThat(Math.abs(Moments.mean(mmd))).isLessThan(3 * Moments.sampleStd(mmd) / Math.sqrt(reps));
        // level 0.1: 3 rejections expected; P(X >= 9) < 0.005 for a valid test
        assertThat(rejections).isLessThanOrEqualTo(8);
    }

    @Test
    void closedFormDivergenceFromPairedAndUnpairedRowsAndFlagsThatReadBothWays() {
        // R^3: X ~ N(0, I), Y ~ N(mu 1, I) with mu = 0.4: J = d mu^2 = 0.48, whatever the coupling
        int n = 2000;
        int d = 3;
        double mu = 0.4;
        double[][] x = Samples.gaussian(n, d, 0, 1, 21);
        double[][] unpaired = Samples.gaussian(n, d, mu, 1, 22);
        double[][] noise = Samples.gaussian(n, d, 0, 1, 23);
        double[][] paired = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                paired[i][j] = mu + 0.98 * x[i][j] + Math.sqrt(1 - 0.98 * 0.98) * noise[i][j]; // partner very close
            }
        }
        MeasureOptions o = MeasureOptions.defaults().withNormalize(false).withSubsamples(2).withSubsampleSize(1000).withPermutations(0)
                .withShuffleControl(false);
        for (double[][] y : List.of(unpaired, paired)) {
            GapReport r = measure(o, x, y, null);
            assertThat(r.estimate("knn_jeffreys").mean()).isCloseTo(d * mu * mu, within(0.12));
            assertThat(r.estimate("knn_jeffreys").reliable()).as(r.estimate("knn_jeffreys").reason()).isTrue();
        }
        // R^512 (J = 512 x 0.05^2 = 1.28): with 600 points the k-NN estimate is flagged, whatever it reads
        int high = 512;
        double[][] xh = Samples.gaussian(1200, high, 0, 1, 31);
        double[][] yh = Samples.gaussian(1200, high, 0.05, 1, 32);
        GapReport r = measure(o.withSubsamples(1).withSubsampleSize(600), xh, yh, null);
        for (String name : List.of("knn_kl_12", "knn_jeffreys", "knn_dsym", "entropy_1", "entropy_2")) {
            GapReport.Estimate e = r.estimate(name);
            assertThat(e.reliable()).as(name).isFalse();
            assertThat(e.reason()).contains("intrinsic dimension 512").contains("dimension rule").contains("m = 600");
        }
        assertThat(r.estimate("energy_distance").reliable()).isTrue(); // no rule concerns it
        assertThat(ReportText.table(r)).contains("WARNING").contains("(!)");
    }

    @Test
    void theoryTermsNeedATemperatureAndInheritTheFlag() throws Exception {
        double[][][] z = pairedNull(800, 512, 0.5, 3);
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(2).withSubsampleSize(400).withPermutations(19).withBatchSizes(16, 64);
        GapReport none = measure(o, z[0], z[1], null);
        assertThat(none.theory()).isNull();
        assertThat(none.has("energy_E")).isFalse();
        assertThat(none.notes()).anyMatch(s -> s.contains("theory terms skipped"));
        assertThat(none.settings().tau()).isNull();
        GapReport with = measure(o.withTau(0.01), z[0], z[1], null);
        assertThat(with.theory()).isNotNull();
        assertThat(with.theory().reliable()).isFalse(); // E is built from k-NN entropies on S^511
        assertThat(with.estimate("energy_E").reliable()).isFalse();
        assertThat(with.estimate("energy_E").reason()).contains("inherits");
        assertThat(with.estimate("large_batch_energy").reliable()).isTrue();
        JsonNode json = Json.MAPPER.readTree(Json.pretty(with));
        assertThat(json.get("schema_version").asInt()).isEqualTo(GapReport.SCHEMA_VERSION);
        assertThat(json.get("settings").get("mmd_estimator").asText()).contains("unbiased");
        assertThat(json.get("settings").get("tau").asDouble()).isEqualTo(0.01);
        assertThat(json.get("permutation_tests")).hasSize(4);
        assertThat(json.get("theory").get("reliable").asBoolean()).isFalse();
        JsonNode first = json.get("estimates").get(0);
        assertThat(first.has("reliable")).isTrue();
        assertThat(first.has("sample")).isTrue();
        assertThat(with.theory().finiteBatch()).extracting(GapReport.BatchLoss::batchSize).containsExactly(16, 64);
    }

    @Test
    void shortDataLowerMWithANoteAndKeepEveryRepeat() {
        // issue 16: --bootstrap 5 with n = 1000 < m = 2000 used to become one subsample with no std
        double[][][] z = pairedNull(1000, 3, 0.2, 4);
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(5).withSubsampleSize(2000).withPermutations(0);
        GapReport r = measure(o, z[0], z[1], null);
        assertThat(r.settings().subsampleSize()).isEqualTo(500);
        assertThat(r.settings().requestedSubsampleSize()).isEqualTo(2000);
        assertThat(r.settings().subsamples()).isEqualTo(5);
        assertThat(r.notes()).anyMatch(s -> s.startsWith("m lowered from 2000 to 500"));
        assertThat(r.estimate("energy_distance").std()).isNotNull().isPositive();
        assertThat(ReportText.table(r)).contains("note: m lowered from 2000 to 500");
    }

    @Test
    void marginalsAreStatedAndTheCentroidUsesEachImageOnce() {
        // 200 images: 100 near +e1 with 9 captions each, 100 near -e1 with 1 caption each
        int n1 = 200;
        double[][] img = Samples.uniformSphere(n1, 3, 5);
        for (int i = 0; i < n1; i++) {
            img[i][0] += i < 100 ? 2 : -2;
        }
        java.util.List<double[]> caps = new java.util.ArrayList<>();
        java.util.List<Integer> owner = new java.util.ArrayList<>();
        SplittableRandom rng = new SplittableRandom(6);
        for (int i = 0; i < n1; i++) {
            for (int c = 0; c < (i < 100 ? 9 : 1); c++) {
                caps.add(new double[] {img[i][0] + 0.3 * Samples.gauss(rng), img[i][1] + 0.3 * Samples.gauss(rng), img[i][2] + 1});
                owner.add(i);
            }
        }
        int[] partner = owner.stream().mapToInt(Integer::intValue).toArray();
        double[][] cap = caps.toArray(new double[0][]);
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(6).withSubsampleSize(90).withPermutations(0);
        GapReport r = measure(o, img, cap, partner);
        // plain reference: unique-image centroid of the normalised rows vs the caption centroid
        double[] c1 = new double[3];
        double[] c2 = new double[3];
        double[] w1 = new double[3];
        for (int i = 0; i < n1; i++) {
            double[] u = unit(img[i]);
            for (int j = 0; j < 3; j++) {
                c1[j] += u[j] / n1;
            }
        }
        for (int k = 0; k < cap.length; k++) {
            double[] u = unit(cap[k]);
            double[] v = unit(img[partner[k]]);
            for (int j = 0; j < 3; j++) {
                c2[j] += u[j] / cap.length;
                w1[j] += v[j] / cap.length;
            }
        }
        double unique = dist(c1, c2);
        double weighted = dist(w1, c2);
        assertThat(Math.abs(unique - weighted)).isGreaterThan(0.3); // the two weightings differ a lot here
        assertThat(r.estimate("centroid_gap").full()).isCloseTo(unique, within(1e-9));
        // the subsample column uses the same (unique) weighting: near the whole-set value, not the weighted one
        assertThat(r.estimate("centroid_gap").mean()).isCloseTo(unique, within(0.1));
        assertThat(r.settings().marginal()).isEqualTo("weighted");
        GapReport u = measure(o.withMarginal(Marginal.UNIQUE), img, cap, partner);
        assertThat(u.settings().marginal()).isEqualTo("unique");
        // captions sit near the 9-caption images: the weighted marginal is closer to them
        assertThat(r.estimate("energy_distance").mean()).isLessThan(u.estimate("energy_distance").mean());
        assertThat(r.estimate("centroid_gap").full()).isEqualTo(u.estimate("centroid_gap").full());
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += (a[j] - b[j]) * (a[j] - b[j]);
        }
        return Math.sqrt(s);
    }

    @Test
    void shuffleControlConcernsThePairsOnlyAndCollapsesRetrieval() {
        double[][][] z = pairedNull(1200, 3, 0.05, 7);
        MeasureOptions o = MeasureOptions.defaults().withSubsamples(2).withSubsampleSize(400).withPermutations(0);
        GapReport r = measure(o, z[0], z[1], null);
        for (String name : List.of("centroid_gap", "knn_jeffreys", "entropy_1", "energy_distance", "mmd2_rbf_1x", "wang_isola_uniformity_1")) {
            assertThat(r.estimate(name).sample()).isEqualTo("independent");
            assertThat(r.estimate(name).shuffleMean()).as(name).isNull(); // a marginal: the shuffle cannot change it
        }
        // whole-set retrieval: 1200 candidates
        assertThat(r.estimate("r1_1to2").full()).isGreaterThan(0.05);
        assertThat(r.estimate("r10_1to2").full()).isGreaterThan(0.5);
        assertThat(r.estimate("r1_1to2").mean()).isNull(); // no subsample retrieval unless asked
        assertThat(r.estimate("r10_2to1").shuffleFull()).isLessThan(0.05);
        assertThat(r.estimate("median_rank_2to1").shuffleFull()).isGreaterThan(100.0);
        assertThat(r.estimate("wang_isola_alignment").shuffleMean()).isGreaterThan(r.estimate("wang_isola_alignment").mean() + 0.3);
        GapReport sub = measure(o.withSubsampleRetrieval(true), z[0], z[1], null);
        // inside 400-pair subsamples retrieval is easier than over all 1200 (why it is not the default)
        assertThat(sub.estimate("subsample_r1_1to2").mean()).isGreaterThan(sub.estimate("r1_1to2").full());
    }

    @Test
    void badInputsAreRejectedWithOneLine() {
        GapMeasurer g = new GapMeasurer(MeasureOptions.defaults());
        NDArray a = Samples.array(manager, Samples.uniformSphere(30, 3, 1));
        NDArray b = Samples.array(manager, Samples.uniformSphere(40, 3, 2));
        NDArray c = Samples.array(manager, Samples.uniformSphere(30, 4, 2));
        assertThatThrownBy(() -> g.measure(a, b, null, SRC)).hasMessageContaining("counts differ");
        assertThatThrownBy(() -> g.measure(a, c, null, SRC)).hasMessageContaining("different dimensions");
        assertThatThrownBy(() -> g.measure(a, b, new int[] {1, 2}, SRC)).hasMessageContaining("40 rows");
        int[] outOfRange = new int[40];
        outOfRange[3] = 30;
        assertThatThrownBy(() -> g.measure(a, b, outOfRange, SRC)).hasMessageContaining("outside the 30 rows");
        double[][] withNan = Samples.uniformSphere(30, 3, 1);
        withNan[4][1] = Double.NaN;
        assertThatThrownBy(() -> g.measure(Samples.array(manager, withNan), a, null, SRC)).hasMessageContaining("NaN");
        double[][] zero = Samples.uniformSphere(30, 3, 1);
        zero[2] = new double[3];
        assertThatThrownBy(() -> g.measure(Samples.array(manager, zero), a, null, SRC)).hasMessageContaining("zero norm");
        // 12 pairs: halves of 6 points, and the k-NN estimators need more than k + 1 = 6
        NDArray few = Samples.array(manager, Samples.uniformSphere(12, 3, 3));
        assertThatThrownBy(() -> g.measure(few, few, null, SRC)).hasMessageContaining("too few rows").hasMessageContaining("k + 1 = 6");
    }
}
