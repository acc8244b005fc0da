package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One estimator of the {@code gaplab measure} report: it declares its name, what it is, what it
 * needs and the statistics it reports (key, unit, sample, meaning), and it computes them on the
 * whole set and/or in each repeat. {@link GapMeasurer} runs the list of {@link Estimators#all()};
 * a new estimator is one class implementing this interface plus one registration line there.
 *
 * <p>Every statistic an estimator reports becomes a named row of {@link GapReport#estimates()}
 * ({@code full} from {@link #wholeSet}, {@code mean}/{@code std} over the repeats from
 * {@link #repeat}), so {@code compare} and {@code sweep} can read it by its key.
 */
public interface Estimator {
    /** What an estimator needs from the measurement, so the measurer prepares it once for all. */
    enum Need {
        /** the whole set of rows (centroids, second moments, retrieval) */
        WHOLE_SET,
        /** the d x d second moments of each modality ({@link WholeSetContext#moments1()}) */
        SECOND_MOMENTS,
        /** each repeat's two independent samples and their pooled distance pass */
        POOLED_DISTANCES,
        /** the k-NN distances of the pooled pass */
        KNN,
        /** each repeat's true pairs */
        PAIRS
    }

    /**
     * One reported statistic.
     *
     * @param key the row's name in the report, e.g. {@code rmg}
     * @param group the report's section, e.g. {@code relative-gap}
     * @param sample what it is computed on, as the report's "sample" column says it
     * @param unit its unit or scale, e.g. "chord distance, [0, 2]"
     * @param description what it is, one line
     */
    record Statistic(String key, String group, String sample, String unit, String description) {}

    /** @return the estimator's name, e.g. "relative modality gap (Schrodi et al. 2025)" */
    String name();

    /** @return what it measures and its source, one or two sentences */
    String description();

    /** @return what it needs */
    Set<Need> needs();

    /** @return every statistic it may report */
    List<Statistic> statistics();

    /**
     * @param c the measurement
     * @return whether it runs on this input (e.g. only at d = 2)
     */
    default boolean applies(WholeSetContext c) {
        return true;
    }

    /**
     * Computes the whole-set values.
     *
     * @param c the measurement
     * @param out where the values go, by key
     */
    default void wholeSet(WholeSetContext c, Map<String, Double> out) {}

    /**
     * Computes one repeat's values.
     *
     * @param c the repeat
     * @param out where the values go, by key
     */
    default void repeat(RepeatContext c, Map<String, Double> out) {}
}
