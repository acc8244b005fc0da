package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.datasets.PairedSource;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Seeds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link GapReport} from two embedding samples (with an optional many-to-one pairing)
 * or from a trained {@link DualEncoder} run and its source's evaluation set.
 *
 * <p>Order of work: convert to float64 (and L2-normalise unless told not to) on the inputs'
 * device; whole-set statistics that are cheap or need the whole set (centroids, the angle
 * histogram, the plug-in L_inf with the partition field over all rows); the RBF bandwidths from
 * the median cross distance of a fixed subsample; then R subsamples of m pairs without
 * replacement, each measured with its true pairing and with the shuffle control; the permutation
 * tests on the first subsample. Everything pairwise goes through {@link Pairwise}.
 */
public final class GapMeasurer {
    /** Rows per side for the median-distance bandwidth. */
    static final int BANDWIDTH_SAMPLE = 1000;

    private final MeasureOptions options;
    private Pairwise pairwise;

    /** @param options how to measure */
    public GapMeasurer(MeasureOptions options) {
        this.options = options;
    }

    /** The chunking for arrays on a device: the options' budget, or the device's default. */
    private Pairwise pairwiseFor(ai.djl.Device device) {
        long budget = options.memoryBudgetBytes();
        if (budget == 0) {
            budget = device.isGpu() ? Pairwise.DEFAULT_BUDGET_BYTES : Pairwise.CPU_BUDGET_BYTES;
        }
        return new Pairwise(budget);
    }

    /** @return the options */
    public MeasureOptions options() {
        return options;
    }

    /**
     * Describes the input for the report.
     *
     * @param kind "embeddings" or "run"
     * @param source1 where modality 1 came from
     * @param source2 where modality 2 came from
     * @param pairs the pairing
     */
    public record Source(String kind, String source1, String source2, String pairs) {}

    /**
     * Measures two embedding samples at the options' temperature.
     *
     * @param z1 modality 1, {@code [n1, d]}
     * @param z2 modality 2, {@code [n2, d]}
     * @param partner for each z2 row the z1 row it is paired with, or null to pair rows by index
     *     (then n1 = n2)
     * @param source description of the input
     * @return the report
     * @throws IllegalArgumentException on inconsistent shapes, non-finite values or zero rows
     */
    public GapReport measure(NDArray z1, NDArray z2, int[] partner, Source source) {
        return measure(z1, z2, partner, source, options.tau(), "option");
    }

    /**
     * Embeds a source's evaluation set with one run of a model and measures it at the run's own
     * temperature.
     *
     * @param model the trained model (K stacked runs)
     * @param run which run
     * @param data the run's paired source
     * @param evalSeed seed of the evaluation set
     * @param n evaluation pairs
     * @param source description of the input
     * @return the report
     */
    public GapReport measure(DualEncoder model, int run, PairedSource data, long evalSeed, int n, Source source) {
        NDManager manager = model.parameters().get(model.parameters().specs().get(0).name()).getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDList z = embed(model, run, data, evalSeed, n, scope);
            return measure(z.get(0), z.get(1), null, source, tau(model, run), "model");
        }
    }

    /** @return the temperature of one run, {@code 1 / logitScale} */
    public static double tau(DualEncoder model, int run) {
        NDArray scale = model.logitScale();
        try (NDArray one = scale.get(run).toType(DataType.FLOAT64, true)) {
            return 1 / Pairwise.scalar(one);
        } finally {
            if (model.config().temperature().learnable()) {
                scale.close(); // a fresh exp(logit_scale); the fixed scale is shared and stays
            }
        }
    }

    /**
     * Embeds n evaluation pairs with one run.
     *
     * @param model the model
     * @param run which run
     * @param data the paired source
     * @param evalSeed seed of the evaluation set
     * @param n number of pairs
     * @param manager owner of the result
     * @return {@code [z1, z2]}, each {@code [n, d]} on the model's device
     */
    public static NDList embed(DualEncoder model, int run, PairedSource data, long evalSeed, int n, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            DualEncoder one = model.selectRun(run, scope);
            DataType dt = one.parameters().get(one.parameters().specs().get(0).name()).getDataType();
            NDList eval = data.evaluationSet(scope, evalSeed, n, dt);
            NDArray z1 = one.embedRows(eval.get(0), true);
            NDArray z2 = one.embedRows(eval.get(1), false);
            z1.setName("z1");
            z2.setName("z2");
            NDList out = new NDList(z1, z2);
            out.attach(manager);
            return out;
        }
    }

    /**
     * As {@link #measure(NDArray, NDArray, int[], Source)} with an explicit temperature.
     *
     * @param z1In modality 1
     * @param z2In modality 2
     * @param partner pairing, or null for by index
     * @param source description of the input
     * @param tau temperature of the theory terms
     * @param tauSource where tau came from, for the report ("option", "model")
     * @return the report
     */
    public GapReport measure(NDArray z1In, NDArray z2In, int[] partner, Source source, double tau, String tauSource) {
        validate(z1In, z2In, partner);
        pairwise = pairwiseFor(z1In.getDevice());
        Map<String, Double> timing = new LinkedHashMap<>();
        long start = System.nanoTime();
        Manifold manifold = options.manifold();
        boolean sphere = manifold == Manifold.SPHERE;
        int n1 = (int) z1In.getShape().get(0);
        int n2 = (int) z2In.getShape().get(0);
        int d = (int) z1In.getShape().get(1);
        try (NDManager scope = z1In.getManager().newSubManager()) {
            NDArray z1 = prepare(z1In, scope, source.source1());
            NDArray z2 = prepare(z2In, scope, source.source2());
            int[] fullPartner = partner != null ? partner : PermutationTest.identity(n2);

            // whole-set statistics
            Map<String, Double> full = new LinkedHashMap<>();
            putCentroid(full, CentroidGap.compute(z1, z2));
            if (d == 2) {
                putAngles(full, AngleHistogramDivergence.compute(z1, z2, options.angleBins(), options.angleEps()));
            }
            double logCTau = sphere ? PartitionConstant.logCTau(d, tau) : Double.NaN;
            double largeBatchEnergy = Double.NaN;
            if (sphere) {
                try (NDManager s = scope.newSubManager()) {
                    Pairwise.tempAttach(s, z1, z2);
                    NDArray z1p = z1.get(new NDIndex("{}", s.create(toLong(fullPartner))));
                    double a = TheoryTerms.alignmentTerm(z1p, z2, tau);
                    full.put("alignment_term", a);
                    largeBatchEnergy = TheoryTerms.largeBatchEnergy(z1, z2, a, tau, pairwise);
                    full.put("large_batch_energy", largeBatchEnergy);
                    full.put("log_c_tau", logCTau);
                }
            }
            double median = medianCrossDistance(z1, z2, scope);
            double[] bandwidths = new double[Mmd.BANDWIDTH_MULTIPLIERS.length];
            List<DistanceKernel> kernels = new ArrayList<>();
            kernels.add(DistanceKernel.distance());
            for (int i = 0; i < bandwidths.length; i++) {
                bandwidths[i] = Mmd.BANDWIDTH_MULTIPLIERS[i] * median;
                kernels.add(DistanceKernel.rbf(bandwidths[i]));
            }
            timing.put("whole_set", seconds(start));

            // repeated subsamples, each with its shuffle control
            Subsampler sampler = new Subsampler(n1, n2, partner, options.seed());
            int m = sampler.size(options.subsampleSize());
            int repeats = sampler.takesAll(options.subsampleSize()) ? 1 : options.subsamples();
            int[] batchSizes = java.util.Arrays.stream(options.batchSizes()).filter(b -> b <= m).toArray();
            List<Map<String, Double>> real = new ArrayList<>();
            List<Map<String, Double>> shuffled = new ArrayList<>();
            List<GapReport.TestResult> tests = new ArrayList<>();
            Context ctx = new Context(d, manifold, tau, logCTau, kernels, batchSizes);
            double realSeconds = 0;
            double shuffleSeconds = 0;
            double testSeconds = 0;
            for (int r = 0; r < repeats; r++) {
                Subsampler.Draw draw = sampler.draw(r, options.subsampleSize());
                try (NDManager s = scope.newSubManager()) {
                    Pairwise.tempAttach(s, z1, z2);
                    NDArray z1s = z1.get(new NDIndex("{}", s.create(toLong(draw.rows1()))));
                    NDArray z2s = z2.get(new NDIndex("{}", s.create(toLong(draw.rows2()))));
                    if (z1s.getShape().get(0) <= options.k() || z2s.getShape().get(0) <= options.k()) {
                        throw new IllegalArgumentException("a subsample holds " + z1s.getShape().get(0) + " and "
                                + z2s.getShape().get(0) + " points; the k-NN estimators need more than k = " + options.k());
                    }
                    long t = System.nanoTime();
                    real.add(subsampleStatistics(z1s, z2s, draw.partner(), ctx));
                    realSeconds += seconds(t);
                    if (options.shuffleControl()) {
                        t = System.nanoTime();
                        shuffled.add(subsampleStatistics(z1s, z2s, draw.shuffled(), ctx));
                        shuffleSeconds += seconds(t);
                    }
                    if (r == 0 && options.permutations() > 0) {
                        t = System.nanoTime();
                        tests.addAll(permutationTests(z1s, z2s, kernels));
                        testSeconds += seconds(t);
                    }
                }
            }
            timing.put("subsamples", realSeconds);
            timing.put("shuffle_control", shuffleSeconds);
            timing.put("permutation_tests", testSeconds);

            List<GapReport.Estimate> estimates = aggregate(full, real, shuffled);
            GapReport.TheoryCheck theory = null;
            if (sphere) {
                List<GapReport.BatchLoss> batches = new ArrayList<>();
                for (int b : batchSizes) {
                    GapReport.Estimate e = find(estimates, "loss_minus_log_B_" + b);
                    batches.add(new GapReport.BatchLoss(b, e.mean(), e.std()));
                }
                double energy = find(estimates, "energy_E").mean();
                theory = new GapReport.TheoryCheck(tau, logCTau, largeBatchEnergy, energy, energy + logCTau, batches);
            }
            GapReport.Input input = new GapReport.Input(source.kind(), source.source1(), source.source2(), source.pairs(), n1, n2, d,
                    options.normalize(), manifold.toString(), manifold.label(d), manifold.intrinsicDim(d),
                    z1In.getDevice().toString());
            GapReport.Settings settings = new GapReport.Settings(m, repeats, options.shuffleControl(), options.seed(), tau, tauSource,
                    options.k(), KnnDivergence.NAME + " (k = " + options.k() + ", same k in both samples)",
                    KnnEntropy.NAME + " (k = " + options.k() + ")",
                    sphere ? "exact geodesic cap area on S^" + (d - 1) + " (surface measure)"
                            : "Euclidean ball volume in R^" + d + " (Lebesgue measure)",
                    EnergyDistance.NAME, Mmd.NAME + ", bandwidths {0.5, 1, 2} x median cross distance of a fixed subsample of "
                            + Math.min(BANDWIDTH_SAMPLE, Math.min(n1, n2)) + " per side",
                    median, bandwidths, options.angleBins(), options.angleEps(), options.permutations(), batchSizes, "float64",
                    pairwise.budgetBytes());
            timing.put("total", seconds(start));
            return new GapReport(GapReport.SCHEMA_VERSION, input, settings, estimates, tests, theory, timing);
        }
    }

    private record Context(int d, Manifold manifold, double tau, double logCTau, List<DistanceKernel> kernels, int[] batchSizes) {}

    /** Every per-subsample statistic, by name, in display order. */
    private Map<String, Double> subsampleStatistics(NDArray z1, NDArray z2, int[] partner, Context ctx) {
        Map<String, Double> out = new LinkedHashMap<>();
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        try (NDManager s = z1.getManager().newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray z1p = z1.get(new NDIndex("{}", s.create(toLong(partner))));
            putCentroid(out, CentroidGap.compute(z1, z2));
            if (ctx.d == 2) {
                putAngles(out, AngleHistogramDivergence.compute(z1, z2, options.angleBins(), options.angleEps()));
            }
            int k = options.k();
            double[] rho1 = pairwise.kthNeighbourDistance(z1, z1, k, true, ctx.manifold);
            double[] nu1 = pairwise.kthNeighbourDistance(z1, z2, k, false, ctx.manifold);
            double[] rho2 = pairwise.kthNeighbourDistance(z2, z2, k, true, ctx.manifold);
            double[] nu2 = pairwise.kthNeighbourDistance(z2, z1, k, false, ctx.manifold);
            KnnDivergence.Result kl = KnnDivergence.fromDistances(rho1, nu1, rho2, nu2, ctx.d, ctx.manifold);
            double h1 = KnnEntropy.fromDistances(rho1, k, ctx.d, ctx.manifold);
            double h2 = KnnEntropy.fromDistances(rho2, k, ctx.d, ctx.manifold);
            out.put("knn_kl_12", kl.kl12());
            out.put("knn_kl_21", kl.kl21());
            out.put("knn_jeffreys", kl.jeffreys());
            out.put("knn_dsym", kl.dsym());
            out.put("entropy_1", h1);
            out.put("entropy_2", h2);

            double[] w = new double[(n1 + n2) * 2];
            for (int i = 0; i < n1; i++) {
                w[2 * i] = 1.0 / n1;
            }
            for (int j = 0; j < n2; j++) {
                w[2 * (n1 + j) + 1] = 1.0 / n2;
            }
            double[][][] forms = pairwise.quadraticForms(NDArrays.concat(new NDList(z1, z2)),
                    s.create(w, new Shape(n1 + n2, 2)), ctx.kernels);
            EnergyDistance.Result energy = EnergyDistance.fromForms(forms[0]);
            out.put("energy_distance", energy.energy());
            out.put("energy_cross_mean", energy.crossMean());
            out.put("energy_within_1", energy.within1());
            out.put("energy_within_2", energy.within2());
            for (int b = 0; b < Mmd.BANDWIDTH_MULTIPLIERS.length; b++) {
                out.put(mmdName(b), Mmd.fromForms(forms[b + 1]));
            }

            out.put("wang_isola_alignment", WangIsola.alignment(z1p, z2));
            out.put("wang_isola_uniformity_1", WangIsola.uniformity(z1, pairwise));
            out.put("wang_isola_uniformity_2", WangIsola.uniformity(z2, pairwise));

            Retrieval.Result rec = Retrieval.compute(z1, z2, partner, pairwise);
            for (int i = 0; i < Retrieval.KS.length; i++) {
                out.put("r" + Retrieval.KS[i] + "_1to2", rec.oneToTwo()[i]);
            }
            for (int i = 0; i < Retrieval.KS.length; i++) {
                out.put("r" + Retrieval.KS[i] + "_2to1", rec.twoToOne()[i]);
            }

            if (ctx.manifold == Manifold.SPHERE) {
                double a = TheoryTerms.alignmentTerm(z1p, z2, ctx.tau);
                double e = TheoryTerms.energy(a, h1, h2, kl.dsym());
                out.put("alignment_term", a);
                out.put("energy_E", e);
                out.put("energy_E_plus_log_c_tau", e + ctx.logCTau);
                for (int b : ctx.batchSizes) {
                    out.put("loss_minus_log_B_" + b, TheoryTerms.finiteBatchLossMinusLogB(z1p, z2, b, ctx.tau, pairwise));
                }
            }
        }
        return out;
    }

    private List<GapReport.TestResult> permutationTests(NDArray z1, NDArray z2, List<DistanceKernel> kernels) {
        double[] signs = new double[kernels.size()];
        java.util.Arrays.fill(signs, 1);
        signs[0] = -1; // energy distance = -w^T D w
        PermutationTest.Result r = PermutationTest.run(z1, z2, kernels, signs, options.permutations(),
                Seeds.derive(options.seed(), "measure.permutation", 0), pairwise);
        List<GapReport.TestResult> out = new ArrayList<>();
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        for (int k = 0; k < kernels.size(); k++) {
            String name = k == 0 ? "energy_distance" : mmdName(k - 1);
            out.add(new GapReport.TestResult(name, r.observed()[k], r.pValues()[k], r.permutations(), n1, n2));
        }
        return out;
    }

    static String mmdName(int bandwidthIndex) {
        double mult = Mmd.BANDWIDTH_MULTIPLIERS[bandwidthIndex];
        return "mmd2_rbf_" + (mult == Math.rint(mult) ? String.valueOf((int) mult) : String.valueOf(mult)) + "x";
    }

    /** The median of {@code ||x - y||} over a fixed random subsample of each side (on the device). */
    private double medianCrossDistance(NDArray z1, NDArray z2, NDManager scope) {
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(Seeds.derive(options.seed(), "measure.bandwidth", 0));
        int[] r1 = Subsampler.choose(n1, Math.min(BANDWIDTH_SAMPLE, n1), rng);
        int[] r2 = Subsampler.choose(n2, Math.min(BANDWIDTH_SAMPLE, n2), rng);
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray a = z1.get(new NDIndex("{}", s.create(toLong(r1))));
            NDArray b = z2.get(new NDIndex("{}", s.create(toLong(r2))));
            // a fixed-size (at most 1000 x 1000) matrix, whatever n is
            NDArray d2 = a.square().sum(new int[] {1}, true).add(b.square().sum(new int[] {1}).reshape(1, -1))
                    .sub(a.matMul(b.transpose()).mul(2)).maximum(0);
            // DJL's median() reduces one axis only; sort the flattened distances instead
            NDArray sorted = d2.sqrt().flatten().sort();
            long count = sorted.size();
            double median = 0.5 * (Pairwise.scalar(sorted.get((count - 1) / 2)) + Pairwise.scalar(sorted.get(count / 2)));
            if (!(median > 0)) {
                throw new IllegalArgumentException("the two samples coincide (median cross distance 0); MMD bandwidths are undefined");
            }
            return median;
        }
    }

    private NDArray prepare(NDArray z, NDManager scope, String name) {
        NDArray x = z.toType(DataType.FLOAT64, true);
        x.attach(scope);
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, x);
            NDArray sum = x.sum();
            if (!Double.isFinite(Pairwise.scalar(sum))) {
                throw new IllegalArgumentException(name + ": embeddings contain NaN or Inf");
            }
        }
        if (!options.normalize()) {
            return x;
        }
        NDArray unit;
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, x);
            NDArray norms = x.norm(new int[] {1}, true);
            if (!(Pairwise.scalar(norms.min()) > 0)) {
                throw new IllegalArgumentException(name + ": a row has zero norm and cannot be L2-normalised (use --no-normalize for R^d)");
            }
            unit = x.div(norms);
            unit.attach(scope);
        }
        x.close();
        return unit;
    }

    private static void validate(NDArray z1, NDArray z2, int[] partner) {
        Shape s1 = z1.getShape();
        Shape s2 = z2.getShape();
        if (s1.dimension() != 2 || s2.dimension() != 2) {
            throw new IllegalArgumentException("embeddings must be [n, d] matrices, got " + s1 + " and " + s2);
        }
        if (s1.get(0) == 0 || s2.get(0) == 0) {
            throw new IllegalArgumentException("embeddings have zero rows (" + s1 + ", " + s2 + ")");
        }
        if (s1.get(1) != s2.get(1)) {
            throw new IllegalArgumentException("the two modalities have different dimensions: " + s1.get(1) + " and " + s2.get(1));
        }
        if (s1.get(1) < 2) {
            throw new IllegalArgumentException("embeddings need at least 2 coordinates, got " + s1.get(1));
        }
        if (partner == null) {
            if (s1.get(0) != s2.get(0)) {
                throw new IllegalArgumentException("rows are paired by index but the counts differ (" + s1.get(0) + " vs " + s2.get(0)
                        + "); give a pairing index array for many-to-one data");
            }
        } else {
            if (partner.length != s2.get(0)) {
                throw new IllegalArgumentException("the pairing index has " + partner.length + " entries but modality 2 has "
                        + s2.get(0) + " rows (one partner per row of modality 2)");
            }
            for (int j = 0; j < partner.length; j++) {
                if (partner[j] < 0 || partner[j] >= s1.get(0)) {
                    throw new IllegalArgumentException("pairing index " + partner[j] + " at position " + j
                            + " is outside the " + s1.get(0) + " rows of modality 1");
                }
            }
        }
    }

    private static void putCentroid(Map<String, Double> out, CentroidGap.Result c) {
        out.put("centroid_gap", c.gap());
        out.put("centroid_norm_1", c.norm1());
        out.put("centroid_norm_2", c.norm2());
        out.put("centroid_cosine", c.cosine());
    }

    private static void putAngles(Map<String, Double> out, AngleHistogramDivergence.Result a) {
        out.put("angle_hist_jeffreys", a.jeffreys());
        out.put("angle_hist_dsym", a.dsym());
    }

    private List<GapReport.Estimate> aggregate(Map<String, Double> full, List<Map<String, Double>> real,
            List<Map<String, Double>> shuffled) {
        List<String> names = new ArrayList<>(real.get(0).keySet());
        for (String name : full.keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        List<GapReport.Estimate> out = new ArrayList<>();
        for (String name : names) {
            double[] rs = column(real, name);
            double[] ss = shuffled.isEmpty() ? null : column(shuffled, name);
            Statistics.Description desc = Statistics.describe(name);
            out.add(new GapReport.Estimate(name, desc.group(), finite(full.get(name)), rs == null ? null : finite(mean(rs)),
                    rs == null ? null : finite(std(rs)), ss == null ? null : finite(mean(ss)), ss == null ? null : finite(std(ss)),
                    desc.text()));
        }
        return out;
    }

    private static double[] column(List<Map<String, Double>> rows, String name) {
        if (!rows.get(0).containsKey(name)) {
            return null;
        }
        return rows.stream().mapToDouble(r -> r.get(name)).toArray();
    }

    private static GapReport.Estimate find(List<GapReport.Estimate> list, String name) {
        return list.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** Sample standard deviation (n - 1); NaN for one value. */
    static double std(double[] a) {
        if (a.length < 2) {
            return Double.NaN;
        }
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
