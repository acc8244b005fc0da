package org.gaplab.engine.measure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered estimators of {@code gaplab measure}, in the order they run. The pooled two-sample
 * pass (energy, MMD^2, k-NN, uniformity, permutation tests), the paired statistics, retrieval and
 * the theory terms share one pass over the data and stay in {@link GapMeasurer}; everything else is
 * an {@link Estimator} registered here, one line each.
 */
public final class Estimators {
    private Estimators() {}

    private static final List<Estimator> ALL = List.of(
            new CentroidEstimator(),
            new AngleHistogramEstimator(),
            new PairedDistanceEstimator(),
            new RelativeGapEstimator(),
            new ConeEstimator(),
            new EffectiveRankEstimator(),
            new GapShapeEstimator(),
            new SeparabilityEstimator(),
            new CentredTwoSampleEstimator());

    private static final Map<String, Estimator.Statistic> BY_KEY = new LinkedHashMap<>();

    static {
        for (Estimator e : ALL) {
            for (Estimator.Statistic s : e.statistics()) {
                if (BY_KEY.put(s.key(), s) != null) {
                    throw new IllegalStateException("two estimators report " + s.key());
                }
            }
        }
    }

    /** @return every registered estimator, in running order */
    public static List<Estimator> all() {
        return ALL;
    }

    /**
     * @param key a statistic's key
     * @return its declaration, or null when no registered estimator reports it
     */
    public static Estimator.Statistic statistic(String key) {
        return BY_KEY.get(key);
    }
}
