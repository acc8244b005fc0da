package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.UserException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The published gap measures of issue 24 (L2I, RMG, cone effect, linear separability, RankMe, gap
 * concentration, the centred two-sample statistics, the shift experiment): closed forms on
 * constructed point sets, and verdicts that read both ways (two samples of one law: no gap; a pure
 * translation: centred statistics near 0 while the centroid gap is large; a shape change with
 * equal centroids: the reverse).
 */
class PublishedGapMeasuresTest {
    private static NDManager manager;
    private static final GapMeasurer.Source SRC = new GapMeasurer.Source("embeddings", "a", "b", "by index");
    private static final MeasureOptions SMALL = MeasureOptions.defaults().withSubsamples(4).withSubsampleSize(200).withPermutations(0)
            .withShuffleControl(false).withBatchSizes();

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static WholeSetContext context(double[][] a, double[][] b, int[] partner, MeasureOptions o, List<String> notes) {
        NDArray x = Samples.array(manager, a);
        NDArray y = Samples.array(manager, b);
        int[] p = partner != null ? partner : PermutationTest.identity(b.length);
        int[] caps = new int[a.length];
        for (int v : p) {
            caps[v]++;
        }
        return new WholeSetContext(x, y, x, y, p, caps, o, manager, Pairwise.withDefaultBudget(), notes);
    }

    private static Map<String, Double> wholeSet(Estimator e, WholeSetContext c) {
        Map<String, Double> out = new LinkedHashMap<>();
        e.wholeSet(c, out);
        return out;
    }

    /** The 2d unit vectors +-e_i of R^d. */
    private static double[][] crossPolytope(int d) {
        double[][] out = new double[2 * d][d];
        for (int i = 0; i < d; i++) {
            out[2 * i][i] = 1;
            out[2 * i + 1][i] = -1;
        }
        return out;
    }

    private static double[][] shifted(double[][] rows, int axis, double by) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            out[i][axis] += by;
        }
        return out;
    }

    @Test
    void spectrumMatchesAKnownDecompositionAndCarriesTheVector() {
        int n = 7;
        SplittableRandom rng = new SplittableRandom(3);
        double[][] q = new double[n][n]; // columns orthonormalised by Gram-Schmidt
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                q[i][j] = Samples.gauss(rng);
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += q[i][j] * q[i][k];
                }
                for (int i = 0; i < n; i++) {
                    q[i][j] -= dot * q[i][k];
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += q[i][j] * q[i][j];
            }
            for (int i = 0; i < n; i++) {
                q[i][j] /= Math.sqrt(norm);
            }
        }
        double[] lambda = {9, 5, 4, 2.5, 1, 0.5, -3};
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += q[i][k] * lambda[k] * q[j][k];
                }
            }
        }
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = 2 * q[i][1] + q[i][4]; // coordinates 2 on lambda = 5, 1 on lambda = 1
        }
        SymmetricSpectrum s = SymmetricSpectrum.of(a, u);
        for (int k = 0; k < n; k++) {
            assertThat(s.values()[k]).isCloseTo(lambda[k], within(1e-10));
        }
        assertThat(Math.abs(s.coordinates()[1])).isCloseTo(2, within(1e-10));
        assertThat(Math.abs(s.coordinates()[4])).isCloseTo(1, within(1e-10));
        assertThat(Math.abs(s.coordinates()[0]) + Math.abs(s.coordinates()[6])).isCloseTo(0, within(1e-10));
    }

    @Test
    void rmgAndConeHaveTheirClosedFormsOnTheCrossPolytope() {
        int d = 5;
        double[][] x = crossPolytope(d);
        // images and captions identical: pair dissimilarity 0, floored at 1e-3 as Schrodi et al. do
        WholeSetContext c = context(x, x, null, SMALL, new ArrayList<>());
        Map<String, Double> cone = wholeSet(new ConeEstimator(), c);
        double mean = -1.0 / (2 * d - 1); // one antipode (-1) and 2d - 2 orthogonal partners (0)
        assertThat(cone.get("cone_cosine_mean_1")).isCloseTo(mean, within(1e-12));
        assertThat(cone.get("cone_cosine_sd_1")).isCloseTo(Math.sqrt(1.0 / (2 * d - 1) - mean * mean), within(1e-12));
        Map<String, Double> rmg = wholeSet(new RelativeGapEstimator(), c);
        double intra = (1 - mean) / 2;
        assertThat(rmg.get("rmg_pair_dissimilarity")).isEqualTo(RelativeGapEstimator.FLOOR);
        assertThat(rmg.get("rmg")).isCloseTo(1e-3 / (1e-3 + intra), within(1e-12));
        // captions = images rotated by a quarter turn in each plane (e_2i -> e_2i+1): pair cosine 0
        double[][] y = new double[2 * d][d];
        for (int i = 0; i < 2 * d; i++) {
            int axis = i / 2;
            y[i][(axis + 1) % d] = x[i][axis];
        }
        Map<String, Double> rotated = wholeSet(new RelativeGapEstimator(), context(x, y, null, SMALL, new ArrayList<>()));
        assertThat(rotated.get("rmg_pair_dissimilarity")).isCloseTo(0.5, within(1e-12));
        assertThat(rotated.get("rmg")).isCloseTo(0.5 / (0.5 + intra), within(1e-12));
        Map<String, Double> l2i = wholeSet(new PairedDistanceEstimator(), context(x, y, null, SMALL, new ArrayList<>()));
        assertThat(l2i.get("l2i")).isCloseTo(Math.sqrt(2), within(1e-12));
    }

    @Test
    void effectiveRankOfEqualSingularValuesIsTheirCount() {
        int d = 12;
        int r = 5;
        double[][] rows = new double[2 * r][d];
        for (int k = 0; k < r; k++) {
            rows[2 * k][k] = 3;
            rows[2 * k + 1][k] = -3;
        }
        WholeSetContext c = context(rows, rows, null, SMALL.withNormalize(false), new ArrayList<>());
        Map<String, Double> out = wholeSet(new EffectiveRankEstimator(), c);
        assertThat(out.get("effective_rank_1")).isCloseTo(r, within(1e-4));
        assertThat(out.get("effective_rank_pooled")).isCloseTo(r, within(1e-4));
        // two unequal values s and 2s: p = 1/3, 2/3
        double[] spectrum = {4, 1, 0, 0};
        double h = -(1.0 / 3) * Math.log(1.0 / 3) - (2.0 / 3) * Math.log(2.0 / 3);
        assertThat(EffectiveRankEstimator.rankMe(spectrum)).isCloseTo(Math.exp(h), within(1e-5));
        assertThat(EffectiveRankEstimator.rankMe(new double[] {0, 0})).isNaN();
    }

    @Test
    void aGapAlongOneAxisSitsOnOneAxisAndAZeroGapIsANote() {
        double[][] x = Samples.gaussian(400, 6, 0, 1, 11);
        double[][] y = shifted(Samples.gaussian(400, 6, 0, 1, 12), 2, 4);
        Map<String, Double> out = wholeSet(new GapShapeEstimator(), context(x, y, null, SMALL.withNormalize(false), new ArrayList<>()));
        assertThat(out.get("gap_axes_50")).isEqualTo(1.0);
        assertThat(out.get("gap_share_first_axis")).isGreaterThan(0.97);
        // the translation dominates the pooled variance: 4^2/4 = 4 on one axis against about 1 on each
        assertThat(out.get("first_axis_variance_share")).isGreaterThan(0.4);
        List<String> notes = new ArrayList<>();
        Map<String, Double> none = wholeSet(new GapShapeEstimator(), context(x, x, null, SMALL.withNormalize(false), notes));
        assertThat(none).doesNotContainKeys("gap_axes_50", "gap_axes_90", "gap_share_first_axis");
        assertThat(notes).anyMatch(n -> n.contains("norm 0"));
    }

    @Test
    void twoSamplesOfOneLawReadNoGap() {
        double[][] a = Samples.uniformSphere(800, 6, 21);
        double[][] b = Samples.uniformSphere(800, 6, 22);
        GapReport r = new GapMeasurer(SMALL).measure(Samples.array(manager, a), Samples.array(manager, b), null, SRC);
        assertThat(r.estimate("rmg").full()).isCloseTo(0.5, within(0.03));
        assertThat(r.estimate("cone_cosine_mean_1").full()).isCloseTo(0, within(0.01));
        assertThat(r.estimate("separability_p_vs_chance").full()).isGreaterThan(0.01);
        assertThat(r.estimate("separability_ci_low").full()).isLessThan(0.5);
        assertThat(r.estimate("separability_ci_high").full()).isGreaterThan(0.5);
        // mean within-sample distance on S^5 is about 1.3: these are zero to within sampling noise
        assertThat(Math.abs(r.estimate("centred_energy_distance").mean())).isLessThan(0.01);
        assertThat(Math.abs(r.estimate("centred_mmd2_rbf_1x").mean())).isLessThan(0.005);
        assertThat(r.estimate("effective_rank_1").full()).isCloseTo(6, within(0.3));
    }

    @Test
    void aPureTranslationIsAllShiftAndAShapeChangeIsAllShape() {
        MeasureOptions raw = SMALL.withNormalize(false);
        double[][] a = Samples.gaussian(800, 5, 0, 1, 31);
        double[][] moved = shifted(Samples.gaussian(800, 5, 0, 1, 32), 0, 3);
        GapReport t = new GapMeasurer(raw).measure(Samples.array(manager, a), Samples.array(manager, moved), null, SRC);
        assertThat(t.estimate("centroid_gap").full()).isGreaterThan(2.5);
        assertThat(t.estimate("energy_distance").mean()).isGreaterThan(1);
        GapReport.Estimate centred = t.estimate("centred_energy_distance");
        assertThat(Math.abs(centred.mean())).isLessThan(0.05);
        assertThat(Math.abs(t.estimate("centred_mmd2_rbf_1x").mean())).isLessThan(0.01);
        assertThat(t.estimate("separability_accuracy").full()).isGreaterThan(0.9);
        assertThat(t.estimate("separability_p_vs_chance").full()).isLessThan(1e-6);
        // equal centroids, twice the spread: the centroid gap is noise, the centred statistics are not
        double[][] wide = Samples.gaussian(800, 5, 0, 2, 33);
        GapReport s = new GapMeasurer(raw).measure(Samples.array(manager, a), Samples.array(manager, wide), null, SRC);
        assertThat(s.estimate("centroid_gap").full()).isLessThan(0.3);
        GapReport.Estimate shape = s.estimate("centred_energy_distance");
        assertThat(shape.mean()).isGreaterThan(0.3).isGreaterThan(5 * shape.std());
        assertThat(s.estimate("centred_knn_jeffreys").mean()).isGreaterThan(0.5);
    }

    @Test
    void separabilityRefusesTooFewRowsForItsFoldsAndNotesItByDefault() {
        double[][] a = Samples.uniformSphere(40, 4, 41);
        double[][] b = Samples.uniformSphere(40, 4, 42);
        MeasureOptions folds = SMALL.withSubsampleSize(20).withSeparabilityFolds(10);
        assertThatThrownBy(() -> new GapMeasurer(folds).measure(Samples.array(manager, a), Samples.array(manager, b), null, SRC))
                .isInstanceOf(UserException.class).hasMessageContaining("separability").hasMessageContaining("--separability-folds");
        List<String> notes = new ArrayList<>();
        new SeparabilityEstimator().wholeSet(context(Samples.uniformSphere(12, 4, 1), Samples.uniformSphere(12, 4, 2), null, SMALL, notes),
                new HashMap<>());
        assertThat(notes).anyMatch(n -> n.contains("separability") && n.contains("skipped"));
        // k folds: every pair tested once
        GapReport r = new GapMeasurer(SMALL.withSeparabilityFolds(5)).measure(Samples.array(manager, Samples.uniformSphere(300, 4, 5)),
                Samples.array(manager, Samples.uniformSphere(300, 4, 6)), null, SRC);
        assertThat(r.settings().separability()).contains("5-fold");
        assertThat(SeparabilityEstimator.binomialUpperTail(0, 10)).isEqualTo(1);
        assertThat(SeparabilityEstimator.binomialUpperTail(10, 10)).isCloseTo(Math.pow(0.5, 10), within(1e-15));
        assertThat(SeparabilityEstimator.binomialUpperTail(5, 10)).isCloseTo(638.0 / 1024, within(1e-12));
    }

    @Test
    void shiftExperimentRefusesBadInputAndItsZeroPointIsTheMeasuredGap() {
        double[][] a = Samples.uniformSphere(60, 4, 51);
        double[][] b = new double[60][];
        for (int i = 0; i < 60; i++) {
            b[i] = a[i].clone();
            b[i][0] += 0.8;
        }
        GapMeasurer m = new GapMeasurer(SMALL);
        NDArray x = Samples.array(manager, a);
        NDArray y = Samples.array(manager, b);
        assertThatThrownBy(() -> m.shift(x, y, null, new double[] {-0.1, 0.1}, new double[] {0.1}, 64))
                .isInstanceOf(UserException.class).hasMessageContaining("must contain 0");
        assertThatThrownBy(() -> m.shift(x, x, null, null, new double[] {0.1}, 64))
                .isInstanceOf(UserException.class).hasMessageContaining("norm 0");
        assertThatThrownBy(() -> m.shift(x, y, null, null, new double[0], 64)).isInstanceOf(UserException.class)
                .hasMessageContaining("temperature");
        GapReport.ShiftResult r = m.shift(x, y, null, new double[] {0.2, 0, -0.2, 0.4}, new double[] {0.1, 1}, 1000);
        assertThat(r.points()).extracting(GapReport.ShiftPoint::delta).containsExactly(-0.2, 0.0, 0.2, 0.4);
        GapReport.ShiftPoint zero = r.points().get(1);
        assertThat(zero.measuredGap()).isCloseTo(r.unshiftedGap(), within(1e-12));
        // a positive delta moves the centroids together
        assertThat(r.points().get(2).measuredGap()).isLessThan(zero.measuredGap());
        // one batch of all 60 pairs: the symmetric InfoNCE by hand at delta 0
        double tau = 0.1;
        double[][] u = unit(a);
        double[][] v = unit(b);
        double rows = 0;
        double cols = 0;
        for (int i = 0; i < 60; i++) {
            double lr = Double.NEGATIVE_INFINITY;
            double lc = Double.NEGATIVE_INFINITY;
            double[] sr = new double[60];
            double[] sc = new double[60];
            for (int j = 0; j < 60; j++) {
                sr[j] = dot(u[i], v[j]) / tau;
                sc[j] = dot(u[j], v[i]) / tau;
                lr = Math.max(lr, sr[j]);
                lc = Math.max(lc, sc[j]);
            }
            double er = 0;
            double ec = 0;
            for (int j = 0; j < 60; j++) {
                er += Math.exp(sr[j] - lr);
                ec += Math.exp(sc[j] - lc);
            }
            rows += lr + Math.log(er) - sr[i];
            cols += lc + Math.log(ec) - sc[i];
        }
        assertThat(r.batchSize()).isEqualTo(60);
        assertThat(zero.loss()[0]).isCloseTo(0.5 * (rows + cols) / 60, within(1e-9));
        assertThat(r.minima()).hasSize(2);
        assertThat(zero.gapAlongDirection()).isCloseTo(r.unshiftedGap(), within(1e-12));
        // a loss that is the same everywhere has no minimum, and the report says so
        GapReport.ShiftResult flat = m.shift(x, y, null, new double[] {0, 1e-12}, new double[] {0.1}, 1000);
        assertThat(flat.minima().get(0).flat()).isTrue();
        assertThat(ReportText.shiftCsv(r)).startsWith("delta,measured_gap,gap_along_direction,loss_tau_0.1,loss_tau_1,r1_1to2,r1_2to1\n");
    }

    @Test
    void theReportIsHonestAboutFloorsSpreadsAndUnreliableRows() {
        double[][] a = Samples.uniformSphere(600, 16, 61);
        double[][] b = shifted(Samples.uniformSphere(600, 16, 62), 0, 1.0);
        GapReport r = new GapMeasurer(SMALL.withPermutations(19)).measure(Samples.array(manager, a), Samples.array(manager, b), null, SRC);
        String text = ReportText.table(r);
        GapReport.TestResult t = r.permutationTests().get(0);
        assertThat(t.pFloor()).isEqualTo(1.0 / 20);
        assertThat(t.repeat()).isEqualTo(0);
        assertThat(text).contains("p <= 0.05000 (the floor").contains("1/(P+1)").contains("repeat 1's");
        // at intrinsic dimension 15 the k-NN rows are flagged and listed after the main table
        int warning = text.indexOf("WARNING");
        assertThat(warning).isPositive();
        assertThat(text.indexOf("  knn_jeffreys ")).isGreaterThan(warning);
        assertThat(text.indexOf("  energy_distance ")).isLessThan(warning);
        assertThat(text).contains("centroid gap ").contains("(whole set, each image once)").contains("unit / meaning");
        // every row has a unit or meaning
        for (GapReport.Estimate e : r.estimates()) {
            assertThat(StatisticCatalogue.unit(e.name())).as(e.name()).isNotEqualTo("-");
        }
        GapReport.Estimate constant = new GapReport.Estimate("l2i", "relative-gap", "pairs", null, 0.5, 1e-17, null, null, null, true, "", "");
        assertThat(ReportText.constant(constant)).isTrue();
        assertThat(ReportText.constant(new GapReport.Estimate("l2i", "relative-gap", "pairs", null, 0.5, 1e-3, null, null, null, true, "", "")))
                .isFalse();
    }

    @Test
    void everyRegisteredStatisticIsNamedOnceWithAUnitAndAMeaning() {
        Set<String> keys = new HashSet<>();
        for (Estimator e : Estimators.all()) {
            assertThat(e.name()).isNotBlank();
            assertThat(e.description()).isNotBlank();
            assertThat(e.needs()).isNotEmpty();
            for (Estimator.Statistic s : e.statistics()) {
                assertThat(keys.add(s.key())).as(s.key()).isTrue();
                assertThat(s.unit()).isNotBlank();
                assertThat(StatisticCatalogue.describe(s.key()).text()).isEqualTo(s.description());
                assertThat(StatisticCatalogue.sample(s.key())).isEqualTo(s.sample());
            }
        }
    }

    private static double[][] unit(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double n = Math.sqrt(dot(rows[i], rows[i]));
            out[i] = rows[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] /= n;
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
