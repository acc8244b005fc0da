package org.gaplab.engine.measure;

import org.gaplab.core.UserException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one registry of per-run metric keys: what a sweep row, a parameter study's point and the
 * sweep/compare tables call each number. Rows are stored with these keys as strings; reading a
 * metric by a name that is not here is a user error listing the known names, so a typo fails
 * instead of plotting NaN. (A known metric that a row lacks, e.g. the evaluation of a diverged
 * run, still reads as NaN.)
 */
public enum Metric {
    /** Mean training loss of the last log interval. */
    FINAL_LOSS("final_loss"),
    /** Mean cosine of the evaluation pairs. */
    MEAN_PAIR_COSINE("mean_pair_cosine"),
    /** {@code ||E z1 - E z2||} on the evaluation pairs. */
    CENTROID_GAP("centroid_gap"),
    /** The training loss on the evaluation pairs. */
    EVAL_LOSS("eval_loss"),

    /** Jeffreys divergence {@code KL12 + KL21} of the 60-bin angle histograms (modality-gap). */
    JEFFREYS("jeffreys"),
    /** {@code KL(p || q)} of the angle histograms (modality-gap). */
    KL_12("kl_12"),
    /** {@code KL(q || p)} of the angle histograms (modality-gap). */
    KL_21("kl_21"),
    /** Energy distance of two independent samples (modality-gap). */
    ENERGY_DISTANCE("energy_distance"),
    /** {@code det W1} of a 2x2 linear tower (modality-gap). */
    DET_W1("det_w1"),
    /** {@code det W2} of a 2x2 linear tower (modality-gap). */
    DET_W2("det_w2"),
    /** 1 when {@code sign det W1 != sign det W2}, else 0 (modality-gap). */
    OPPOSITE_ORIENTATION("opposite_orientation"),

    /** Held-out R@1, modality 1 to 2 ({@code EvalGeometry}, as are the other eval_ keys). */
    EVAL_R1_1TO2("eval_r1_1to2"),
    /** Held-out R@1, modality 2 to 1. */
    EVAL_R1_2TO1("eval_r1_2to1"),
    /** Held-out R@5, modality 1 to 2. */
    EVAL_R5_1TO2("eval_r5_1to2"),
    /** Held-out R@5, modality 2 to 1. */
    EVAL_R5_2TO1("eval_r5_2to1"),
    /** Centroid gap of the measured subsample. */
    EVAL_CENTROID_GAP("eval_centroid_gap"),
    /** Energy distance of two independent halves. */
    EVAL_ENERGY_DISTANCE("eval_energy_distance"),
    /** MMD^2, RBF kernel at the median bandwidth. */
    EVAL_MMD2_RBF_1X("eval_mmd2_rbf_1x"),
    /** k-NN Jeffreys divergence. */
    EVAL_KNN_JEFFREYS("eval_knn_jeffreys"),
    /** Norm of modality 1's centroid. */
    EVAL_CENTROID_NORM_1("eval_centroid_norm_1"),
    /** Norm of modality 2's centroid. */
    EVAL_CENTROID_NORM_2("eval_centroid_norm_2"),
    /** Wang-Isola uniformity of modality 1. */
    EVAL_WANG_ISOLA_UNIFORMITY_1("eval_wang_isola_uniformity_1"),
    /** Wang-Isola uniformity of modality 2. */
    EVAL_WANG_ISOLA_UNIFORMITY_2("eval_wang_isola_uniformity_2"),
    /** Paired distance L2I, mean ||z1 - z2|| over the pairs (whole set). */
    EVAL_L2I("eval_l2i"),
    /** Relative modality gap, Schrodi et al.'s constants (whole set). */
    EVAL_RMG("eval_rmg"),
    /** RankMe of the equal-weight mixture of both modalities (whole set). */
    EVAL_EFFECTIVE_RANK_POOLED("eval_effective_rank_pooled"),
    /** Mean cosine between distinct embeddings of modality 1 (cone effect, whole set). */
    EVAL_CONE_COSINE_MEAN_1("eval_cone_cosine_mean_1"),
    /** Mean cosine between distinct embeddings of modality 2 (cone effect, whole set). */
    EVAL_CONE_COSINE_MEAN_2("eval_cone_cosine_mean_2");

    private static final Map<String, Metric> BY_KEY = Arrays.stream(values())
            .collect(Collectors.toMap(Metric::key, m -> m, (a, b) -> a, LinkedHashMap::new));

    private final String key;

    Metric(String key) {
        this.key = key;
    }

    /** @return the key rows and tables use */
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return key;
    }

    /** @return the metric of that key, if there is one */
    public static Optional<Metric> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /**
     * @param key a metric's key
     * @return the metric
     * @throws UserException (a user error) naming the known keys when there is none of that key
     */
    public static Metric of(String key) {
        Metric m = BY_KEY.get(key);
        if (m == null) {
            throw new UserException("unknown metric '" + key + "' (known: " + String.join(", ", BY_KEY.keySet()) + ")");
        }
        return m;
    }
}
