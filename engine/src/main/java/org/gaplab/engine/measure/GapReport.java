package org.gaplab.engine.measure;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Map;

/**
 * The measured geometry of two embedding samples: every statistic as mean and std over repeated
 * subsamples (with the shuffle control beside it), whole-set values where they are cheap,
 * permutation tests, and the theory's decomposition check. Serialised with snake_case keys
 * (names with a one-letter word, like {@code log_c_tau}, are spelled out since Jackson would
 * merge it: {@code log_ctau});
 * {@link #SCHEMA_VERSION} changes whenever a key changes meaning.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param input what was measured
 * @param settings how it was measured (estimators, k, m, tau, ...)
 * @param estimates every statistic, in display order
 * @param permutationTests energy distance and MMD^2 tests on the first pair of independent samples
 * @param theory the check {@code L_B - ln B -> L_inf = E + ln c_tau} (null off the sphere or without a temperature)
 * @param notes one line for every change to what was asked (m lowered, theory skipped, ...)
 * @param timingSeconds wall time of each stage
 * @param shift the embedding-shift experiment ({@code measure --shift}); absent when it did not run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GapReport(int schemaVersion, Input input, Settings settings, List<Estimate> estimates,
        List<TestResult> permutationTests, TheoryCheck theory, List<String> notes, Map<String, Double> timingSeconds,
        @JsonInclude(JsonInclude.Include.NON_NULL) ShiftResult shift) {

    /**
     * The report with the shift experiment's result added.
     *
     * @param result the experiment
     * @return a copy
     */
    public GapReport withShift(ShiftResult result) {
        List<Estimate> all = new java.util.ArrayList<>(estimates);
        ShiftMinimum first = result.minima().get(0);
        java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
        values.put("shift_unshifted_gap", result.unshiftedGap());
        if (!first.flat()) {
            values.put("shift_gap_at_loss_min", first.gap());
            values.put("shift_gap_at_loss_min_low", first.gapLow());
            values.put("shift_gap_at_loss_min_high", first.gapHigh());
        }
        for (var e : values.entrySet()) {
            StatisticCatalogue.Description d = StatisticCatalogue.describe(e.getKey());
            all.add(new Estimate(e.getKey(), d.group(), StatisticCatalogue.sample(e.getKey()), e.getValue(), null, null, null, null, null, true,
                    "no dimension rule applies", d.text()));
        }
        return new GapReport(schemaVersion, input, settings, all, permutationTests, theory, notes, timingSeconds, result);
    }

    /**
     * Version of this report's layout. 2: independent two-sample statistics (U-statistics),
     * whole-set retrieval, reliability flags, notes, optional temperature.
     */
    public static final int SCHEMA_VERSION = 2;

    /**
     * What was measured.
     *
     * @param kind "embeddings" (files or arrays a user brings) or "run" (a trained dual encoder)
     * @param source1 where modality 1 came from (file, or run directory and tower)
     * @param source2 where modality 2 came from
     * @param pairs the pairing: "by index" or the index file
     * @param n1 rows of modality 1
     * @param n2 rows of modality 2
     * @param dim coordinates per embedding d
     * @param normalized whether rows were L2-normalised before measuring
     * @param manifold "sphere" or "euclidean"
     * @param manifoldLabel e.g. "sphere S^1"
     * @param intrinsicDim d - 1 on the sphere, d in R^d
     * @param device the device the pairwise work ran on
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Input(String kind, String source1, String source2, String pairs, int n1, int n2, int dim, boolean normalized,
            String manifold, String manifoldLabel, int intrinsicDim, String device) {}

    /**
     * How it was measured.
     *
     * @param subsampleSize m, points per side of each pair of independent samples (after any lowering)
     * @param requestedSubsampleSize the m asked for
     * @param pairSubsampleSize pairs per subsample of the paired statistics
     * @param subsamples R, number of subsamples
     * @param shuffleControl whether the shuffle control ran
     * @param seed root seed of the measurement streams
     * @param tau temperature of the theory terms (null when none was given)
     * @param tauSource where tau came from ("option", "logit-scale", "model", "none")
     * @param marginal law of modality 1 in the two-sample statistics ("weighted", "unique", or "one-to-one" without a pairing index)
     * @param sampling what is paired and what is independent, in words
     * @param retrievalProtocol the retrieval protocol, in words
     * @param stabilityKs the neighbour ranks of the stability check
     * @param knnK k of the k-NN estimators
     * @param klEstimator divergence estimator
     * @param entropyEstimator entropy estimator
     * @param ballVolume the ball volume the k-NN estimators used
     * @param energyEstimator energy distance form
     * @param mmdEstimator MMD form (biased or unbiased)
     * @param medianCrossDistance the median heuristic's distance
     * @param mmdBandwidths the RBF bandwidths s
     * @param angleBins bins of the 2-D angle histogram
     * @param angleEps its pseudo-count
     * @param permutations relabellings per permutation test
     * @param batchSizes the B of {@code L_B - ln B}
     * @param computeDtype dtype of the arithmetic
     * @param memoryBudgetBytes memory per chunk of pairwise work
     * @param distinctPoints the fewest distinct points per side in any repeat's independent samples: the m the k-NN
     *     estimators and their reliability verdicts use (with many captions per image, fewer than m: an image drawn
     *     twice is one point for a nearest-neighbour search)
     * @param separability how the linear-separability classifier was trained and tested (null when off)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Settings(int subsampleSize, int requestedSubsampleSize, int pairSubsampleSize, int subsamples, boolean shuffleControl,
            long seed, Double tau, String tauSource, String marginal, String sampling, String retrievalProtocol, int[] stabilityKs,
            int knnK, String klEstimator, String entropyEstimator, String ballVolume, String energyEstimator,
            String mmdEstimator, double medianCrossDistance, double[] mmdBandwidths, int angleBins, double angleEps,
            int permutations, int[] batchSizes, String computeDtype, long memoryBudgetBytes, int distinctPoints,
            @JsonInclude(JsonInclude.Include.NON_NULL) String separability) {}

    /**
     * One statistic. Values that are undefined (a zero centroid's cosine) are null.
     *
     * @param name key, e.g. "centroid_gap"
     * @param group family, e.g. "centroid", "divergence", "retrieval", "theory"
     * @param sample what it is computed on: "whole set", "independent" (two disjoint halves) or "pairs"
     * @param full value on the whole sample, where computed (else null)
     * @param mean mean over the subsamples
     * @param std sample standard deviation over the subsamples (null with one subsample)
     * @param shuffleFull the whole-set value under the shuffled pairing (null when not computed)
     * @param shuffleMean the subsample mean under the shuffled pairing (null for statistics of the
     *     marginals, which a shuffle of the pairing cannot change, or when the control did not run)
     * @param shuffleStd its standard deviation
     * @param reliable whether the estimate can be trusted at its dimension, m and k (see {@link Reliability})
     * @param reason the checks behind {@code reliable}: for k-NN estimates the estimator, intrinsic dimension, m, k and
     *     any failed check; for the others that no dimension rule applies
     * @param description what it is, one line
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Estimate(String name, String group, String sample, Double full, Double mean, Double std, Double shuffleFull,
            Double shuffleMean, Double shuffleStd, boolean reliable, String reason, String description) {}

    /**
     * A permutation test.
     *
     * @param statistic which statistic
     * @param observed its value on the true labels
     * @param pValue {@code (1 + #exceed) / (P + 1)}
     * @param permutations P
     * @param size1 points of modality 1 in the test
     * @param size2 points of modality 2
     * @param pFloor the smallest p-value P relabellings can give, {@code 1 / (P + 1)}: a p at the floor reads
     *     "p <= pFloor", never "p = 0"
     * @param repeat which repeat's pair of independent samples was tested (0 = the first)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TestResult(String statistic, double observed, double pValue, int permutations, int size1, int size2, double pFloor,
            int repeat) {}

    /**
     * The embedding-shift experiment (Liang et al. 2022, figure 3, with the true symmetric loss):
     * modality 1 moved by {@code -delta/2} and modality 2 by {@code +delta/2} along the unit gap
     * direction g, both renormalised; at each delta the centroid gap is measured again, with the
     * symmetric InfoNCE at each temperature and full-set R@1 both ways.
     *
     * @param unshiftedGap the centroid gap at delta = 0
     * @param batchSize pairs per batch of the loss
     * @param protocol how the loss and the retrieval were computed, in words
     * @param taus the temperatures
     * @param points one per delta, in grid order
     * @param minima per temperature: where the loss is smallest
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ShiftResult(double unshiftedGap, int batchSize, String protocol, double[] taus, List<ShiftPoint> points,
            List<ShiftMinimum> minima) {}

    /**
     * @param delta the shift
     * @param measuredGap the centroid gap after it (each image once)
     * @param gapAlongDirection the component of the new centroid difference along the original gap direction g
     *     (negative once the shift has carried the modalities past each other)
     * @param loss symmetric InfoNCE per temperature, in {@code taus} order
     * @param r1OneToTwo full-set R@1, image queries
     * @param r1TwoToOne full-set R@1, caption queries
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ShiftPoint(double delta, double measuredGap, double gapAlongDirection, double[] loss, double r1OneToTwo, double r1TwoToOne) {}

    /**
     * @param tau the temperature
     * @param delta the grid's delta of the smallest loss
     * @param gap the measured gap there
     * @param gapLow the measured gap at the neighbouring grid point on one side (the minimum lies between the two)
     * @param gapHigh at the other side
     * @param atEdge whether the smallest loss is at an end of the grid (then the minimum may lie outside it)
     * @param flat whether the loss is the same (to 1e-9 relative) at every delta, so that it has no minimum on the grid
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ShiftMinimum(double tau, double delta, double gap, double gapLow, double gapHigh, boolean atEdge, boolean flat) {}

    /**
     * The decomposition check of docs/theory.md section 4-6.
     *
     * @param tau temperature
     * @param logCTau {@code ln c_tau} on {@code S^(d-1)}
     * @param largeBatchEnergy plug-in {@code L_inf}, partition field on the whole evaluation set
     * @param energy {@code E(rho1, rho2)}, mean over subsamples
     * @param energyPlusLogCTau {@code E + ln c_tau}, what {@code L_inf} tends to as tau -> 0
     * @param finiteBatch {@code L_B - ln B} at each B
     * @param reliable whether E (built from k-NN entropies and D_sym) can be trusted
     * @param reason why (inherited from the k-NN estimates)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TheoryCheck(double tau, @JsonProperty("log_c_tau") double logCTau, double largeBatchEnergy, double energy,
            @JsonProperty("energy_plus_log_c_tau") double energyPlusLogCTau,
            List<BatchLoss> finiteBatch, boolean reliable, String reason) {}

    /**
     * @param batchSize B
     * @param lossMinusLogB mean of {@code L_B - ln B} over subsamples
     * @param std its standard deviation
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BatchLoss(int batchSize, double lossMinusLogB, Double std) {}

    /**
     * @param name a statistic's key
     * @return its estimate
     * @throws IllegalArgumentException when the report has no such statistic
     */
    public Estimate estimate(String name) {
        return estimates.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no statistic '" + name + "' in this report"));
    }

    /** @return whether the report has a statistic of that name */
    public boolean has(String name) {
        return estimates.stream().anyMatch(e -> e.name().equals(name));
    }
}
