package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.engine.report.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The report as a whole: subsampling, shuffle control, serialisation, input checks. */
class GapMeasurerTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static final List<String> MARGINAL = List.of("centroid_gap", "centroid_norm_1", "centroid_norm_2", "angle_hist_jeffreys",
            "knn_kl_12", "knn_kl_21", "knn_jeffreys", "entropy_1", "entropy_2", "energy_distance", "energy_within_1",
            "mmd2_rbf_1x", "wang_isola_uniformity_1", "wang_isola_uniformity_2");

    /** Two modalities on S^1, each point of modality 2 its partner plus 0.05 rad of noise. */
    private static NDArray[] pairedCircle(int n, long seed) {
        double[][] a = Samples.vonMisesCircle(n, 0, 2, seed);
        double[][] b = new double[n][2];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed + 1);
        for (int i = 0; i < n; i++) {
            double t = Math.atan2(a[i][1], a[i][0]) + 0.05 * Samples.gauss(rng);
            b[i][0] = Math.cos(t);
            b[i][1] = Math.sin(t);
        }
        return new NDArray[] {Samples.array(manager, a), Samples.array(manager, b)};
    }

    @Test
    void shuffleControlLeavesMarginalsExactlyAndCollapsesRetrieval() {
        NDArray[] z = pairedCircle(1200, 7);
        // m = 400 of n = 1200, 3 subsamples: R@1 chance is 1/400
        MeasureOptions opt = MeasureOptions.defaults().withSubsamples(3).withSubsampleSize(400).withPermutations(0);
        GapReport r = new GapMeasurer(opt).measure(z[0], z[1], null, new GapMeasurer.Source("embeddings", "a", "b", "by index"));
        for (String name : MARGINAL) {
            GapReport.Estimate e = r.estimate(name);
            assertThat(e.shuffleMean()).as(name).isEqualTo(e.mean());
            assertThat(e.shuffleStd()).as(name).isEqualTo(e.std());
        }
        assertThat(r.estimate("r1_1to2").mean()).isGreaterThan(0.05);
        assertThat(r.estimate("r10_1to2").mean()).isGreaterThan(0.5);
        assertThat(r.estimate("r1_1to2").shuffleMean()).isLessThan(0.02);
        assertThat(r.estimate("r10_2to1").shuffleMean()).isLessThan(0.06);
        // pairing matters for the paired statistics
        assertThat(r.estimate("wang_isola_alignment").shuffleMean()).isGreaterThan(r.estimate("wang_isola_alignment").mean() + 0.3);
        assertThat(r.settings().subsampleSize()).isEqualTo(400);
        assertThat(r.settings().subsamples()).isEqualTo(3);
        assertThat(r.input().manifold()).isEqualTo("sphere");
        assertThat(r.input().intrinsicDim()).isEqualTo(1);
    }

    @Test
    void reportSerialisesWithSchemaVersionAndTheoryCheck() throws Exception {
        NDArray[] z = pairedCircle(600, 11);
        MeasureOptions opt = MeasureOptions.defaults().withSubsamples(2).withSubsampleSize(300).withPermutations(19)
                .withBatchSizes(16, 64, 256);
        GapReport r = new GapMeasurer(opt).measure(z[0], z[1], null, new GapMeasurer.Source("embeddings", "a", "b", "by index"));
        JsonNode json = Json.MAPPER.readTree(Json.pretty(r));
        assertThat(json.get("schema_version").asInt()).isEqualTo(GapReport.SCHEMA_VERSION);
        assertThat(json.get("settings").get("knn_k").asInt()).isEqualTo(5);
        assertThat(json.get("settings").get("mmd_estimator").asText()).contains("biased");
        assertThat(json.get("permutation_tests")).hasSize(4);
        // the alignment term (1/tau) E[-s] is at least -1/tau
        assertThat(r.estimate("alignment_term").mean()).isGreaterThan(-1 / 0.07 - 1e-9);
        assertThat(r.theory().logCTau()).isCloseTo(13.88, within(0.01));
        assertThat(r.theory().finiteBatch()).extracting(GapReport.BatchLoss::batchSize).containsExactly(16, 64, 256);
        // the permutation test's observed energy is the first subsample's energy distance
        assertThat(r.permutationTests().get(0).statistic()).isEqualTo("energy_distance");
        // modality 2 is modality 1 plus small noise: one distribution, so no evidence of a gap
        assertThat(r.permutationTests().get(0).pValue()).isGreaterThan(0.2);
        assertThat(r.permutationTests().get(0).observed())
                .isCloseTo(r.estimate("energy_distance").mean(), within(1.0)); // same order as the subsample mean
    }

    @Test
    void manyToOnePairingRetrievesEveryImageOfItsCaptions() {
        // 100 "images" on S^2, 3 "captions" per image: tiny perturbations of their image
        double[][] img = Samples.uniformSphere(100, 3, 3);
        double[][] cap = new double[300][];
        int[] partner = new int[300];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int j = 0; j < 300; j++) {
            partner[j] = j % 100;
            cap[j] = new double[3];
            for (int c = 0; c < 3; c++) {
                cap[j][c] = img[j % 100][c] + 1e-3 * Samples.gauss(rng);
            }
        }
        MeasureOptions opt = MeasureOptions.defaults().withSubsamples(1).withSubsampleSize(300).withPermutations(0);
        GapReport r = new GapMeasurer(opt).measure(Samples.array(manager, img), Samples.array(manager, cap), partner,
                new GapMeasurer.Source("embeddings", "img", "cap", "partner"));
        assertThat(r.estimate("r1_1to2").mean()).isEqualTo(1.0);
        assertThat(r.estimate("r1_2to1").mean()).isEqualTo(1.0);
        assertThat(r.estimate("r1_2to1").shuffleMean()).isLessThan(0.1);
        assertThat(r.settings().subsamples()).isEqualTo(1); // m = n: one subsample, the whole set
    }

    @Test
    void badInputsAreRejectedWithOneLine() {
        GapMeasurer g = new GapMeasurer(MeasureOptions.defaults());
        GapMeasurer.Source src = new GapMeasurer.Source("embeddings", "a", "b", "by index");
        NDArray a = Samples.array(manager, Samples.uniformSphere(30, 3, 1));
        NDArray b = Samples.array(manager, Samples.uniformSphere(40, 3, 2));
        NDArray c = Samples.array(manager, Samples.uniformSphere(30, 4, 2));
        assertThatThrownBy(() -> g.measure(a, b, null, src)).hasMessageContaining("counts differ");
        assertThatThrownBy(() -> g.measure(a, c, null, src)).hasMessageContaining("different dimensions");
        assertThatThrownBy(() -> g.measure(a, b, new int[] {1, 2}, src)).hasMessageContaining("40 rows");
        int[] outOfRange = new int[40];
        outOfRange[3] = 30;
        assertThatThrownBy(() -> g.measure(a, b, outOfRange, src)).hasMessageContaining("outside the 30 rows");
        double[][] withNan = Samples.uniformSphere(30, 3, 1);
        withNan[4][1] = Double.NaN;
        assertThatThrownBy(() -> g.measure(Samples.array(manager, withNan), a, null, src)).hasMessageContaining("NaN");
        double[][] zero = Samples.uniformSphere(30, 3, 1);
        zero[2] = new double[3];
        assertThatThrownBy(() -> g.measure(Samples.array(manager, zero), a, null, src)).hasMessageContaining("zero norm");
    }
}
