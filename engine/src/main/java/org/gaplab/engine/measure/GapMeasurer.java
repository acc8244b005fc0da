package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;
import org.gaplab.models.DualEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link GapReport} from two embedding samples (with an optional many-to-one pairing)
 * or from a trained {@link DualEncoder} run and its source's evaluation set.
 *
 * <p>Order of work: convert to float64 (and L2-normalise unless told not to) on the inputs'
 * device; the whole-set statistics: centroids (each image once), the angle histogram, and one
 * chunked pass over the whole score matrix for the standard retrieval protocol (true and shuffled
 * pairing) and, given a temperature, the partition fields of the plug-in L_inf
 * ({@link FullSetRetrieval}); the RBF bandwidths from the median cross distance of a fixed
 * subsample; then R repeats, each with
 * <ul>
 *   <li>two independent samples of m points from disjoint halves of the images or pairs
 *   ({@link TwoSampleSplit}), measured in one pass over their pooled distance matrix
 *   ({@link PooledPass}): energy distance and MMD^2 as U-statistics, uniformity, the k-NN
 *   estimates at k = 3, 5, 10 and on the halves, and, in the first repeat, the permutation tests;</li>
 *   <li>m true pairs ({@link Subsampler}) for the paired statistics, and the same rows with the
 *   pairing shuffled (the shuffle control).</li>
 * </ul>
 * Every registered {@link Estimator} ({@link Estimators#all()}: the centroid, the published gap
 * measures L2I, RMG, cone effect, separability, RankMe, gap concentration and the centred
 * two-sample statistics) runs on the whole set and/or in each repeat beside these passes, through
 * a {@link WholeSetContext} and a {@link RepeatContext}; {@link #shift} runs the embedding-shift
 * experiment. k-NN estimates get a {@link Reliability} verdict; requests that cannot be honoured as given (m
 * larger than the halves, theory terms without a temperature) are honoured as far as possible and
 * reported in the report's notes.
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
     * @throws UserException on inconsistent shapes, non-finite values or zero rows (bad input, exit 2)
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
            double t = options.hasTau() ? options.tau() : tau(model, run);
            return measure(z.get(0), z.get(1), null, source, t, options.hasTau() ? "option" : "model");
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
            return embedEvaluation(model.selectRun(run, scope), data, evalSeed, n, manager);
        }
    }

    /**
     * The evaluation embeddings of a one-run model: n pairs of its source's evaluation set (the
     * {@code evalSeed} stream, drawn in the model's precision), embedded by each tower. gaplab's
     * one way to embed a run's evaluation set ({@code train.Evaluation.embeddings} and
     * {@link #embed} call it).
     *
     * @param one a one-run model
     * @param data the paired source
     * @param evalSeed seed of the evaluation set
     * @param n number of pairs
     * @param manager owner of the result
     * @return {@code [z1, z2]}, each {@code [n, d]} on the model's device
     */
    public static NDList embedEvaluation(DualEncoder one, PairedSource data, long evalSeed, int n, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            DataType dt = one.parameters().get(one.parameters().specs().get(0).name()).getDataType();
            NDList eval = data.evaluationSet(scope, evalSeed, n, dt);
            NDArray z1 = one.embedRows(eval.get(0), org.gaplab.models.Modality.FIRST);
            NDArray z2 = one.embedRows(eval.get(1), org.gaplab.models.Modality.SECOND);
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
     * @param tau temperature of the theory terms, or NaN for none (theory terms skipped, with a note)
     * @param tauSource where tau came from, for the report ("option", "logit-scale", "model")
     * @return the report
     */
    public GapReport measure(NDArray z1In, NDArray z2In, int[] partner, Source source, double tau, String tauSource) {
        validate(z1In, z2In, partner);
        pairwise = pairwiseFor(z1In.getDevice());
        Map<String, Double> timing = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        long start = System.nanoTime();
        Manifold manifold = options.manifold();
        boolean sphere = manifold == Manifold.SPHERE;
        boolean hasTau = !Double.isNaN(tau);
        boolean theory = sphere && hasTau;
        int n1 = (int) z1In.getShape().get(0);
        int n2 = (int) z2In.getShape().get(0);
        int d = (int) z1In.getShape().get(1);
        int k = options.k();
        Marginal marginal = options.marginal();
        if (sphere && !hasTau) {
            notes.add("theory terms skipped: embeddings carry no temperature; give --tau T or --logit-scale S (never a guessed 0.07)");
        }
        try (NDManager scope = z1In.getManager().newSubManager()) {
            NDArray z1 = prepare(z1In, scope, source.source1());
            NDArray z2 = prepare(z2In, scope, source.source2());
            if (!options.normalize()) {
                RawNorms.check(RawNorms.of(z1), RawNorms.of(z2), notes); // issue 27: raw norms far apart are refused or noted
            }
            // pairwise products in float32 above 64 coordinates (neighbours there are far apart,
            // so float32's 1e-7 on a cosine is harmless); float64 below, where k-NN radii are small
            DataType work = d > WORK_FLOAT32_ABOVE ? DataType.FLOAT32 : DataType.FLOAT64;
            NDArray z1w = work == DataType.FLOAT64 ? z1 : z1.toType(work, false);
            NDArray z2w = work == DataType.FLOAT64 ? z2 : z2.toType(work, false);
            z1w.attach(scope);
            z2w.attach(scope);
            int[] fullPartner = partner != null ? partner : PermutationTest.identity(n2);
            int[] captions = new int[n1];
            for (int p : fullPartner) {
                captions[p]++;
            }

            // whole set: centroids (each image once), angle histogram, retrieval, partition fields
            Map<String, Double> full = new LinkedHashMap<>();
            Map<String, Double> shuffleFull = new LinkedHashMap<>();
            // the registered estimators' whole-set values (centroid first, as the report shows it)
            WholeSetContext context = new WholeSetContext(z1, z2, z1w, z2w, fullPartner, captions, options, scope, pairwise, notes);
            for (Estimator e : Estimators.all()) {
                if (e.applies(context)) {
                    long t0 = System.nanoTime();
                    e.wholeSet(context, full);
                    timing.put("whole_set: " + e.name(), seconds(t0));
                }
            }
            int[] shuffledPartner = null;
            if (options.shuffleControl()) {
                shuffledPartner = fullPartner.clone();
                PermutationTest.shuffle(shuffledPartner, new java.util.SplittableRandom(Seeds.derive(options.seed(), "measure.shuffle.full", 0)));
            }
            double[] imageWeights = new double[n1];
            for (int i = 0; i < n1; i++) {
                imageWeights[i] = marginal == Marginal.WEIGHTED ? (double) captions[i] / n2 : 1.0 / n1;
            }
            double logCTau = theory ? PartitionConstant.logCTau(d, tau) : Double.NaN;
            FullSetRetrieval.Result ret = FullSetRetrieval.compute(z1w, z2w, fullPartner, shuffledPartner, theory ? tau : Double.NaN,
                    imageWeights, pairwise);
            // on raw vectors the retrieval score is a dot product: the pair cosine is computed as a cosine
            full.put("pair_cosine", options.normalize() ? ret.pairScoreMean() : RawNorms.meanPairCosine(z1, z2, fullPartner));
            shuffleFull.put("pair_cosine", options.normalize() || shuffledPartner == null ? ret.shuffledPairScoreMean()
                    : RawNorms.meanPairCosine(z1, z2, shuffledPartner));
            putRecall(full, ret.real());
            if (ret.shuffled() != null) {
                putRecall(shuffleFull, ret.shuffled());
            }
            double largeBatchEnergy = Double.NaN;
            if (theory) {
                double a = -ret.pairScoreMean() / tau;
                full.put("alignment_term", a);
                largeBatchEnergy = a + 0.5 * ret.logField12() + 0.5 * ret.logField21();
                full.put("large_batch_energy", largeBatchEnergy);
                full.put("log_c_tau", logCTau);
            }
            double median = medianCrossDistance(z1, z2, fullPartner, scope);
            context.medianCrossDistance(median);
            List<Estimator> perRepeat = new ArrayList<>();
            for (Estimator e : Estimators.all()) {
                if (e.applies(context)) {
                    perRepeat.add(e);
                }
            }
            double[] bandwidths = new double[Mmd.BANDWIDTH_MULTIPLIERS.length];
            List<DistanceKernel> kernels = new ArrayList<>();
            kernels.add(DistanceKernel.distance());
            for (int i = 0; i < bandwidths.length; i++) {
                bandwidths[i] = Mmd.BANDWIDTH_MULTIPLIERS[i] * median;
                kernels.add(DistanceKernel.rbf(bandwidths[i]));
            }
            int tested = kernels.size();
            kernels.add(DistanceKernel.expScaled(WangIsola.UNIFORMITY_T));
            timing.put("whole_set", seconds(start));

            // two independent samples per repeat, from disjoint halves of the pairs
            int repeats = options.subsamples();
            TwoSampleSplit split = new TwoSampleSplit(n1, n2, partner, marginal, repeats, options.seed());
            int requested = options.subsampleSize();
            int m = split.size(requested);
            if (m < requested) {
                notes.add(String.format(java.util.Locale.ROOT,
                        "m lowered from %d to %d: the two independent samples come from disjoint halves of the %d %s, so each side holds at most %d",
                        requested, m, n1, partner == null ? "pairs" : "images", m));
            }
            TwoSampleSplit.Draw[] draws = new TwoSampleSplit.Draw[repeats];
            int smallest = Integer.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                draws[r] = split.draw(r, m);
                smallest = Math.min(smallest, Math.min(draws[r].xRows().length, draws[r].yRows().length));
            }
            if (smallest <= k + 1) {
                throw new UserException("too few rows: the two independent samples hold " + smallest
                        + " distinct points per side, and the k-NN estimators need more than k + 1 = " + (k + 1)
                        + " (give more rows or a smaller --k)");
            }
            int fewest = smallest;
            int[] ks = java.util.stream.IntStream.of(3, k, 10).filter(x -> x < fewest - 1).distinct().sorted().toArray();
            // the paired statistics: m pairs of true partners per repeat
            Subsampler sampler = new Subsampler(n1, n2, partner, options.seed());
            int mp = sampler.size(requested);
            if (mp < requested) {
                notes.add("pair statistics use all " + mp + " pairs per repeat (fewer than m = " + requested + "), in a new random order each time");
            }
            int[] batchSizes = java.util.Arrays.stream(options.batchSizes()).filter(b -> b <= mp).toArray();
            if (theory && batchSizes.length < options.batchSizes().length) {
                notes.add("L_B - ln B skipped for B > " + mp + " (the pairs available per subsample)");
            }
            List<Map<String, Double>> real = new ArrayList<>();
            List<Map<String, Double>> shuffled = new ArrayList<>();
            List<GapReport.TestResult> tests = new ArrayList<>();
            KnnTally tally = new KnnTally(ks.length);
            double twoSampleSeconds = 0;
            double pairSeconds = 0;
            for (int r = 0; r < repeats; r++) {
                TwoSampleSplit.Draw draw = draws[r];
                Map<String, Double> row = new LinkedHashMap<>();
                Map<String, Double> shuffledRow = new LinkedHashMap<>();
                long t = System.nanoTime();
                try (NDManager s = scope.newSubManager()) {
                    Pairwise.tempAttach(s, z1, z2, z1w, z2w);
                    NDArray cx = z1.get(new NDIndex("{}", s.create(toLong(draw.centroidRows()))));
                    NDArray y64 = z2.get(new NDIndex("{}", s.create(toLong(draw.yRows()))));
                    NDArray xw = z1w.get(new NDIndex("{}", s.create(toLong(draw.xRows()))));
                    NDArray yw = z2w.get(new NDIndex("{}", s.create(toLong(draw.yRows()))));
                    NDArray pooled = NDArrays.concat(new NDList(xw, yw));
                    int perms = r == 0 ? options.permutations() : 0;
                    PooledPass.Result res = PooledPass.run(pooled, new PooledPass.Plan(draw.xRows().length, draw.xCounts(), kernels, tested,
                            perms, Seeds.derive(options.seed(), "measure.permutation", 0), ks, k, sphere), pairwise);
                    putTwoSample(row, res, tested);
                    putKnn(row, res, ks, k, d, manifold, tally);
                    RepeatContext rc = new RepeatContext(context, r, draw, cx, y64, res, row);
                    for (Estimator e : perRepeat) {
                        long t0 = System.nanoTime();
                        e.repeat(rc, row);
                        timing.merge("repeats: " + e.name(), seconds(t0), Double::sum);
                    }
                    if (perms > 0) {
                        boolean[] energyLike = new boolean[tested];
                        energyLike[0] = true;
                        PermutationTest.Result pt = PermutationTest.fromPass(res, energyLike, perms);
                        for (int kk = 0; kk < tested; kk++) {
                            tests.add(new GapReport.TestResult(kk == 0 ? "energy_distance" : mmdName(kk - 1), pt.observed()[kk],
                                    pt.pValues()[kk], perms, draw.xSize(), draw.yRows().length, 1.0 / (perms + 1), r));
                        }
                    }
                }
                twoSampleSeconds += seconds(t);
                t = System.nanoTime();
                Subsampler.Draw pd = sampler.draw(r, requested);
                pairStatistics(row, pd.rows1(), pd.rows2(), pd.partner(), z1, z2, scope, tau, theory, batchSizes);
                if (options.shuffleControl()) {
                    pairStatistics(shuffledRow, pd.rows1(), pd.rows2(), pd.shuffled(), z1, z2, scope, tau, theory, batchSizes);
                }
                if (theory) {
                    double e = TheoryTerms.energy(row.get("alignment_term"), row.get("entropy_1"), row.get("entropy_2"), row.get("knn_dsym"));
                    row.put("energy_E", e);
                    row.put("energy_E_plus_log_c_tau", e + logCTau);
                }
                pairSeconds += seconds(t);
                real.add(row);
                shuffled.add(shuffledRow);
            }
            timing.put("two_sample", twoSampleSeconds);
            timing.put("pairs", pairSeconds);

            Map<String, Reliability.Verdict> verdicts = tally.verdicts(manifold.intrinsicDim(d), k, ks);
            if (theory) {
                Reliability.Verdict e = Reliability.inherit("E", List.of("entropy_1", "entropy_2", "knn_dsym"),
                        List.of(verdicts.get("entropy_1"), verdicts.get("entropy_2"), verdicts.get("knn_dsym")));
                verdicts.put("energy_E", e);
                verdicts.put("energy_E_plus_log_c_tau", e);
            }
            List<GapReport.Estimate> estimates = aggregate(full, shuffleFull, real, shuffled, verdicts);
            GapReport.TheoryCheck theoryCheck = null;
            if (theory) {
                List<GapReport.BatchLoss> batches = new ArrayList<>();
                for (int b : batchSizes) {
                    GapReport.Estimate e = find(estimates, "loss_minus_log_B_" + b);
                    batches.add(new GapReport.BatchLoss(b, e.mean(), e.std()));
                }
                GapReport.Estimate energy = find(estimates, "energy_E");
                theoryCheck = new GapReport.TheoryCheck(tau, logCTau, largeBatchEnergy, energy.mean(), energy.mean() + logCTau, batches,
                        energy.reliable(), energy.reason());
            }
            List<String> warnings = new ArrayList<>();
            for (GapReport.Estimate e : estimates) {
                if (!e.reliable()) {
                    warnings.add(e.name());
                }
            }
            GapReport.Input input = new GapReport.Input(source.kind(), source.source1(), source.source2(), source.pairs(), n1, n2, d,
                    options.normalize(), manifold.toString(), manifold.label(d), manifold.intrinsicDim(d),
                    z1In.getDevice().toString());
            String sampling = "two-sample statistics (energy, MMD^2, k-NN KL/J/D_sym and entropies, uniformity, permutation tests): "
                    + "two independent samples of m per repeat from disjoint random halves of the "
                    + (partner == null ? "pairs" : "images (an image and its captions on one side)") + ", modality 1 as the "
                    + marginal.describe() + ", k-NN on distinct images; centroid: each image once; "
                    + "paired statistics (alignment, L_B, shuffle control): " + mp + " true pairs per repeat";
            GapReport.Settings settings = new GapReport.Settings(m, requested, mp, repeats, options.shuffleControl(), options.seed(),
                    hasTau ? tau : null, hasTau ? tauSource : "none", partner == null ? "one-to-one" : marginal.toString(), sampling,
                    "standard whole-set protocol: image->text hit if any of the image's captions ranks in the top K of all "
                            + n2 + " captions; text->image if its image ranks in the top K of all " + n1 + " images",
                    ks, k, KnnDivergence.NAME + " (k = " + k + ", same k in both samples)",
                    KnnEntropy.NAME + " (k = " + k + ")",
                    sphere ? "exact geodesic cap area on S^" + (d - 1) + " (surface measure)"
                            : "Euclidean ball volume in R^" + d + " (Lebesgue measure)",
                    EnergyDistance.NAME, Mmd.NAME + ", bandwidths {0.5, 1, 2} x median cross distance of a fixed subsample of "
                            + Math.min(BANDWIDTH_SAMPLE, Math.min(n1, n2)) + " per side",
                    median, bandwidths, options.angleBins(), options.angleEps(), options.permutations(), batchSizes,
                    work.toString().toLowerCase(java.util.Locale.ROOT) + " pairwise products, float64 sums", pairwise.budgetBytes(), smallest,
                    options.separabilityFolds() == 0 ? null : (options.separabilityFolds() == 1 ? "one 80/20 split by pair" : options.separabilityFolds()
                            + "-fold by pair") + "; balanced (each image and one of its captions); logistic regression on standardised coordinates, L2 lambda = "
                            + SeparabilityEstimator.LAMBDA + " on the mean log-loss, " + SeparabilityEstimator.STEPS
                            + " accelerated gradient steps; Wilson 95% interval; exact one-sided binomial test against chance 0.5");
            timing.put("total", seconds(start));
            return new GapReport(GapReport.SCHEMA_VERSION, input, settings, estimates, tests, theoryCheck, notes, timing, null);
        }
    }

    /**
     * The embedding-shift experiment ({@link ShiftExperiment}) on two embedding samples.
     *
     * @param z1In modality 1
     * @param z2In modality 2
     * @param partner pairing, or null for by index
     * @param grid the deltas (null = the default grid), must contain 0
     * @param taus temperatures of the loss
     * @param batch pairs per batch of the loss
     * @return the experiment
     * @throws UserException on bad input (raw vectors, a grid without 0, a gap of norm 0)
     */
    public GapReport.ShiftResult shift(NDArray z1In, NDArray z2In, int[] partner, double[] grid, double[] taus, int batch) {
        validate(z1In, z2In, partner);
        if (!options.normalize()) {
            throw new UserException("--shift moves unit embeddings along the gap direction; it does not go with --no-normalize");
        }
        pairwise = pairwiseFor(z1In.getDevice());
        try (NDManager scope = z1In.getManager().newSubManager()) {
            NDArray z1 = prepare(z1In, scope, "modality 1");
            NDArray z2 = prepare(z2In, scope, "modality 2");
            int[] p = partner != null ? partner : PermutationTest.identity((int) z2In.getShape().get(0));
            return ShiftExperiment.run(z1, z2, p, grid, taus, batch, options.seed(), pairwise);
        }
    }

    /** Coordinates above which pairwise products run in float32. */
    static final int WORK_FLOAT32_ABOVE = 64;

    /** Energy distance, MMD^2 and uniformity from one pooled pass (observed labelling: column 0). */
    private static void putTwoSample(Map<String, Double> out, PooledPass.Result res, int tested) {
        EnergyDistance.Result energy = EnergyDistance.fromMeans(res.sxx()[0][0], res.syy()[0][0], res.sxy()[0][0]);
        out.put("energy_distance", energy.energy());
        out.put("energy_cross_mean", energy.crossMean());
        out.put("energy_within_1", energy.within1());
        out.put("energy_within_2", energy.within2());
        for (int b = 0; b < Mmd.BANDWIDTH_MULTIPLIERS.length; b++) {
            out.put(mmdName(b), Mmd.fromMeans(res.sxx()[b + 1][0], res.syy()[b + 1][0], res.sxy()[b + 1][0]));
        }
        out.put("wang_isola_uniformity_1", Math.log(res.sxx()[tested][0]));
        out.put("wang_isola_uniformity_2", Math.log(res.syy()[tested][0]));
    }

    /** The k-NN estimates at the reported k, and every k and the halves into the tally. */
    private static void putKnn(Map<String, Double> out, PooledPass.Result res, int[] ks, int k, int d, Manifold manifold, KnnTally tally) {
        int nx = res.withinX()[0].length;
        int ny = res.withinY()[0].length;
        for (int i = 0; i < ks.length; i++) {
            Reliability.Value kl12 = KnnDivergence.oneWayWithError(res.withinX()[i], res.crossX()[i], ny, d, manifold);
            Reliability.Value kl21 = KnnDivergence.oneWayWithError(res.withinY()[i], res.crossY()[i], nx, d, manifold);
            Reliability.Value h1 = KnnEntropy.withError(res.withinX()[i], ks[i], d, manifold);
            Reliability.Value h2 = KnnEntropy.withError(res.withinY()[i], ks[i], d, manifold);
            tally.add(i, kl12, kl21, h1, h2);
            if (ks[i] == k) {
                out.put("knn_kl_12", kl12.value());
                out.put("knn_kl_21", kl21.value());
                out.put("knn_jeffreys", kl12.value() + kl21.value());
                out.put("knn_dsym", (kl12.value() + kl21.value()) / 2);
                out.put("entropy_1", h1.value());
                out.put("entropy_2", h2.value());
            }
        }
        if (res.halfWithinX() != null) {
            int hx = res.halfWithinX().length;
            int hy = res.halfWithinY().length;
            tally.addHalf(KnnDivergence.oneWayWithError(res.halfWithinX(), res.halfCrossX(), hy, d, manifold),
                    KnnDivergence.oneWayWithError(res.halfWithinY(), res.halfCrossY(), hx, d, manifold),
                    KnnEntropy.withError(res.halfWithinX(), k, d, manifold), KnnEntropy.withError(res.halfWithinY(), k, d, manifold));
        }
        tally.size(Math.min(nx, ny));
    }

    /**
     * Sums of the k-NN estimates and their standard errors over the repeats, at every k and on the
     * halves, for the reliability verdicts.
     */
    private static final class KnnTally {
        private static final String[] NAMES = {"knn_kl_12", "knn_kl_21", "knn_jeffreys", "knn_dsym", "entropy_1", "entropy_2"};
        private final double[][] value; // [name][k index]
        private final double[][] se;
        private final double[] halfValue = new double[NAMES.length];
        private final double[] halfSe = new double[NAMES.length];
        private int count;
        private int halfCount;
        private int m = Integer.MAX_VALUE;

        KnnTally(int ks) {
            value = new double[NAMES.length][ks];
            se = new double[NAMES.length][ks];
        }

        private static double[][] expand(Reliability.Value kl12, Reliability.Value kl21, Reliability.Value h1, Reliability.Value h2) {
            double j = kl12.value() + kl21.value();
            double jse = Math.hypot(kl12.se(), kl21.se());
            return new double[][] {{kl12.value(), kl12.se()}, {kl21.value(), kl21.se()}, {j, jse}, {j / 2, jse / 2}, {h1.value(), h1.se()},
                {h2.value(), h2.se()}};
        }

        void add(int ki, Reliability.Value kl12, Reliability.Value kl21, Reliability.Value h1, Reliability.Value h2) {
            double[][] v = expand(kl12, kl21, h1, h2);
            for (int i = 0; i < NAMES.length; i++) {
                value[i][ki] += v[i][0];
                se[i][ki] += v[i][1];
            }
            if (ki == 0) {
                count++;
            }
        }

        void addHalf(Reliability.Value kl12, Reliability.Value kl21, Reliability.Value h1, Reliability.Value h2) {
            double[][] v = expand(kl12, kl21, h1, h2);
            for (int i = 0; i < NAMES.length; i++) {
                halfValue[i] += v[i][0];
                halfSe[i] += v[i][1];
            }
            halfCount++;
        }

        void size(int points) {
            m = Math.min(m, points);
        }

        Map<String, Reliability.Verdict> verdicts(int dim, int k, int[] ks) {
            Map<String, Reliability.Verdict> out = new LinkedHashMap<>();
            for (int i = 0; i < NAMES.length; i++) {
                Reliability.Value[] atK = new Reliability.Value[ks.length];
                for (int j = 0; j < ks.length; j++) {
                    atK[j] = new Reliability.Value(value[i][j] / count, se[i][j] / count);
                }
                Reliability.Value half = halfCount == count ? new Reliability.Value(halfValue[i] / count, halfSe[i] / count) : null;
                String estimator = NAMES[i].startsWith("entropy") ? KnnEntropy.NAME + " entropy" : KnnDivergence.NAME + " divergence";
                out.put(NAMES[i], Reliability.judge(estimator, dim, m, k, atK, ks, half));
            }
            return out;
        }
    }

    /** Statistics of true (or shuffled) pairs: alignment, the alignment term, L_B - ln B, optional subsample retrieval. */
    private void pairStatistics(Map<String, Double> out, int[] rows1, int[] rows2, int[] partner, NDArray z1, NDArray z2, NDManager scope,
            double tau, boolean theory, int[] batchSizes) {
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray z1s = z1.get(new NDIndex("{}", s.create(toLong(rows1))));
            NDArray z2s = z2.get(new NDIndex("{}", s.create(toLong(rows2))));
            NDArray z1p = z1s.get(new NDIndex("{}", s.create(toLong(partner))));
            out.put("wang_isola_alignment", WangIsola.alignment(z1p, z2s));
            if (options.subsampleRetrieval()) {
                Retrieval.Result rec = Retrieval.compute(z1s, z2s, partner, pairwise);
                for (int i = 0; i < Retrieval.KS.length; i++) {
                    out.put("subsample_r" + Retrieval.KS[i] + "_1to2", rec.oneToTwo()[i]);
                }
                for (int i = 0; i < Retrieval.KS.length; i++) {
                    out.put("subsample_r" + Retrieval.KS[i] + "_2to1", rec.twoToOne()[i]);
                }
            }
            if (theory) {
                out.put("alignment_term", TheoryTerms.alignmentTerm(z1p, z2s, tau));
                for (int b : batchSizes) {
                    out.put("loss_minus_log_B_" + b, TheoryTerms.finiteBatchLossMinusLogB(z1p, z2s, b, tau, pairwise));
                }
            }
        }
    }

    private static void putRecall(Map<String, Double> out, FullSetRetrieval.Recall r) {
        for (int i = 0; i < FullSetRetrieval.KS.length; i++) {
            out.put("r" + FullSetRetrieval.KS[i] + "_1to2", r.recall1to2()[i]);
        }
        for (int i = 0; i < FullSetRetrieval.KS.length; i++) {
            out.put("r" + FullSetRetrieval.KS[i] + "_2to1", r.recall2to1()[i]);
        }
        out.put("mean_rank_1to2", r.meanRank1to2());
        out.put("median_rank_1to2", r.medianRank1to2());
        out.put("mean_rank_2to1", r.meanRank2to1());
        out.put("median_rank_2to1", r.medianRank2to1());
    }

    static String mmdName(int bandwidthIndex) {
        double mult = Mmd.BANDWIDTH_MULTIPLIERS[bandwidthIndex];
        return "mmd2_rbf_" + (mult == Math.rint(mult) ? String.valueOf((int) mult) : String.valueOf(mult)) + "x";
    }

    /**
     * The median of {@code ||x - y||} over a fixed random subsample of each side (on the device),
     * modality 1 drawn from the report's marginal.
     */
    private double medianCrossDistance(NDArray z1, NDArray z2, int[] partner, NDManager scope) {
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(Seeds.derive(options.seed(), "measure.bandwidth", 0));
        int[] r1;
        if (options.marginal() == Marginal.WEIGHTED) {
            int[] caps = Subsampler.choose(n2, Math.min(BANDWIDTH_SAMPLE, n2), rng);
            r1 = new int[caps.length];
            for (int i = 0; i < caps.length; i++) {
                r1[i] = partner[caps[i]];
            }
        } else {
            r1 = Subsampler.choose(n1, Math.min(BANDWIDTH_SAMPLE, n1), rng);
        }
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
                throw new UserException("the two samples coincide (median cross distance 0); MMD bandwidths are undefined");
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
                throw new UserException(name + ": embeddings contain NaN or Inf");
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
                throw new UserException(name + ": a row has zero norm and cannot be L2-normalised (use --no-normalize for R^d)");
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
            throw new UserException("embeddings must be [n, d] matrices, got " + s1 + " and " + s2);
        }
        if (s1.get(0) == 0 || s2.get(0) == 0) {
            throw new UserException("embeddings have zero rows (" + s1 + ", " + s2 + ")");
        }
        if (s1.get(1) != s2.get(1)) {
            throw new UserException("the two modalities have different dimensions: " + s1.get(1) + " and " + s2.get(1));
        }
        if (s1.get(1) < 2) {
            throw new UserException("embeddings need at least 2 coordinates, got " + s1.get(1));
        }
        if (partner == null) {
            if (s1.get(0) != s2.get(0)) {
                throw new UserException("rows are paired by index but the counts differ (" + s1.get(0) + " vs " + s2.get(0)
                        + "); give a pairing index array for many-to-one data");
            }
        } else {
            if (partner.length != s2.get(0)) {
                throw new UserException("the pairing index has " + partner.length + " entries but modality 2 has "
                        + s2.get(0) + " rows (one partner per row of modality 2)");
            }
            for (int j = 0; j < partner.length; j++) {
                if (partner[j] < 0 || partner[j] >= s1.get(0)) {
                    throw new UserException("pairing index " + partner[j] + " at position " + j
                            + " is outside the " + s1.get(0) + " rows of modality 1");
                }
            }
        }
    }

    private List<GapReport.Estimate> aggregate(Map<String, Double> full, Map<String, Double> shuffleFull, List<Map<String, Double>> real,
            List<Map<String, Double>> shuffled, Map<String, Reliability.Verdict> verdicts) {
        List<String> names = new ArrayList<>(full.keySet());
        for (String name : real.get(0).keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        // display order: marginals first, then what depends on the pairing, then the theory
        List<String> groups = new ArrayList<>(List.of("centroid", "relative-gap", "cone", "separability", "rank", "shift-shape", "divergence", "entropy", "two-sample", "wang-isola", "pairs",
                "retrieval", "theory"));
        for (String name : names) {
            String g = StatisticCatalogue.describe(name).group();
            if (!groups.contains(g)) {
                groups.add(g);
            }
        }
        List<GapReport.Estimate> out = new ArrayList<>();
        for (String group : groups) {
            for (String name : names) {
                StatisticCatalogue.Description desc = StatisticCatalogue.describe(name);
                if (!desc.group().equals(group)) {
                    continue;
                }
                double[] rs = column(real, name);
                double[] ss = column(shuffled, name);
                Reliability.Verdict v = verdicts.getOrDefault(name, Reliability.Verdict.NOT_APPLICABLE);
                out.add(new GapReport.Estimate(name, desc.group(), StatisticCatalogue.sample(name), finite(full.get(name)),
                        rs == null ? null : finite(Moments.mean(rs)), rs == null ? null : finite(Moments.sampleStd(rs)), finite(shuffleFull.get(name)),
                        ss == null ? null : finite(Moments.mean(ss)), ss == null ? null : finite(Moments.sampleStd(ss)), v.reliable(), v.reason(), desc.text()));
            }
        }
        return out;
    }

    /** The values of a statistic over the repeats that measured it (an estimator may skip later repeats), or null when none did. */
    private static double[] column(List<Map<String, Double>> rows, String name) {
        if (rows.isEmpty() || !rows.get(0).containsKey(name)) {
            return null;
        }
        return rows.stream().filter(r -> r.containsKey(name)).mapToDouble(r -> r.get(name)).toArray();
    }

    private static GapReport.Estimate find(List<GapReport.Estimate> list, String name) {
        return list.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
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
