package org.gaplab.engine.measure;

import org.gaplab.core.Checks;

import java.util.Arrays;

/**
 * How a {@link GapReport} is measured. Validated on construction; a bad value names its field.
 *
 * @param subsamples number of repeated subsamples R (mean and std are over them)
 * @param subsampleSize m, pairs per subsample, drawn without replacement (the spread of every
 *     estimate depends on m, so the report states it); when m >= n the whole set is one subsample
 * @param shuffleControl whether to repeat every subsample with its pairing permuted
 * @param k neighbour rank of the k-NN estimators
 * @param permutations P, relabellings in the permutation tests (0 = no test)
 * @param tau temperature of the theory terms and the finite-batch loss, or NaN for none: then the
 *     theory terms of embeddings are skipped (a model run always brings its own)
 * @param normalize L2-normalise rows first; then the manifold is the sphere S^(d-1), else R^d
 * @param batchSizes batch sizes B of the {@code L_B - ln B} sequence (those above m are skipped)
 * @param seed root of the "measure.*" seed streams (subsamples, shuffles, permutations, bandwidth)
 * @param memoryBudgetBytes memory for the temporaries of one chunk of pairwise work; 0 = by device
 *     ({@link Pairwise#CPU_BUDGET_BYTES} on CPU, {@link Pairwise#DEFAULT_BUDGET_BYTES} on a GPU)
 * @param angleBins bins of the 2-D angle histogram
 * @param angleEps pseudo-count of the angle histogram
 * @param marginal the law of modality 1 in the two-sample statistics (many-to-one pairs)
 * @param subsampleRetrieval also report R@K inside the pair subsamples (inflated; not the standard protocol)
 * @param separabilityFolds the linear-separability classifier: 0 = off, 1 = one 80/20 split by pair (default),
 *     K >= 2 = K-fold cross-validation by pair
 */
public record MeasureOptions(int subsamples, int subsampleSize, boolean shuffleControl, int k, int permutations, double tau,
        boolean normalize, int[] batchSizes, long seed, long memoryBudgetBytes, int angleBins, double angleEps, Marginal marginal, boolean subsampleRetrieval,
        int separabilityFolds) {

    /** Validates. */
    public MeasureOptions {
        Checks.positive(subsamples, "subsamples");
        Checks.check(subsampleSize >= 20, "subsampleSize", "must be >= 20, got " + subsampleSize);
        Checks.check(k >= 1 && k <= 50, "k", "must be in [1, 50], got " + k);
        Checks.check(permutations >= 0, "permutations", "must be >= 0, got " + permutations);
        Checks.check(Double.isNaN(tau) || tau > 0 && Double.isFinite(tau), "tau", "must be > 0 (or NaN for none), got " + tau);
        Checks.notNull(marginal, "marginal");
        Checks.notNull(batchSizes, "batchSizes");
        batchSizes = batchSizes.clone();
        for (int b : batchSizes) {
            Checks.check(b >= 2, "batchSizes", "every batch size must be >= 2, got " + b);
        }
        Checks.check(seed >= 0, "seed", "must be >= 0, got " + seed);
        Checks.check(memoryBudgetBytes == 0 || memoryBudgetBytes >= (1L << 20), "memoryBudgetBytes",
                "must be 0 (by device) or >= 1 MiB, got " + memoryBudgetBytes);
        Checks.check(angleBins >= 2, "angleBins", "must be >= 2, got " + angleBins);
        Checks.positive(angleEps, "angleEps");
        Checks.check(separabilityFolds >= 0 && separabilityFolds <= 100, "separabilityFolds", "must be in [0, 100], got " + separabilityFolds);
    }

    /**
     * Defaults: 20 subsamples of m = 2000, shuffle control, k = 5, 199 permutations, no tau (theory
     * terms of embeddings skipped), normalised, caption-weighted marginal, no subsample retrieval.
     */
    public static MeasureOptions defaults() {
        return new MeasureOptions(20, 2000, true, 5, 199, Double.NaN, true, new int[] {16, 64, 256, 1024}, 0,
                0, AngleHistogramDivergence.DEFAULT_BINS, AngleHistogramDivergence.DEFAULT_EPS,
                Marginal.WEIGHTED, false, 1);
    }

    /** @return the manifold the estimators assume */
    public Manifold manifold() {
        return normalize ? Manifold.SPHERE : Manifold.EUCLIDEAN;
    }

    @Override
    public int[] batchSizes() {
        return batchSizes.clone();
    }

    /** @return a copy with another number of subsamples */
    public MeasureOptions withSubsamples(int r) {
        return new MeasureOptions(r, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another subsample size m */
    public MeasureOptions withSubsampleSize(int m) {
        return new MeasureOptions(subsamples, m, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with the shuffle control on or off */
    public MeasureOptions withShuffleControl(boolean on) {
        return new MeasureOptions(subsamples, subsampleSize, on, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another neighbour rank */
    public MeasureOptions withK(int kk) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, kk, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another number of permutations */
    public MeasureOptions withPermutations(int p) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, p, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another temperature */
    public MeasureOptions withTau(double t) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, t, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy that normalises rows (sphere) or not (R^d) */
    public MeasureOptions withNormalize(boolean on) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, on, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with other batch sizes */
    public MeasureOptions withBatchSizes(int... b) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, b, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another seed */
    public MeasureOptions withSeed(long s) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, s,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another memory budget */
    public MeasureOptions withMemoryBudget(long bytes) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                bytes, angleBins, angleEps, marginal, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy with another law of modality 1 for the two-sample statistics */
    public MeasureOptions withMarginal(Marginal m) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, m, subsampleRetrieval, separabilityFolds);
    }

    /** @return a copy that also reports (or not) retrieval inside the pair subsamples */
    public MeasureOptions withSubsampleRetrieval(boolean on) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, on, separabilityFolds);
    }

    /** @return a copy with another separability setting (0 off, 1 one split, K >= 2 folds) */
    public MeasureOptions withSeparabilityFolds(int folds) {
        return new MeasureOptions(subsamples, subsampleSize, shuffleControl, k, permutations, tau, normalize, batchSizes, seed,
                memoryBudgetBytes, angleBins, angleEps, marginal, subsampleRetrieval, folds);
    }

    /** @return whether a temperature was given */
    public boolean hasTau() {
        return !Double.isNaN(tau);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeasureOptions m && m.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "MeasureOptions[subsamples=" + subsamples + ", subsampleSize=" + subsampleSize + ", shuffleControl=" + shuffleControl
                + ", k=" + k + ", permutations=" + permutations + ", tau=" + tau + ", normalize=" + normalize + ", batchSizes="
                + Arrays.toString(batchSizes) + ", seed=" + seed + ", memoryBudgetBytes=" + memoryBudgetBytes + ", angleBins="
                + angleBins + ", angleEps=" + angleEps + ", marginal=" + marginal + ", subsampleRetrieval=" + subsampleRetrieval + ", separabilityFolds=" + separabilityFolds + "]";
    }
}
