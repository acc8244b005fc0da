package org.gaplab.engine.sweep;

import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.train.RunStatus;

import java.util.Map;

/**
 * One finished point: what it was and what it measured. Rows carry no timings, so the same sweep
 * gives the same rows whether run in one process or in shards (timings go to {@code timing.jsonl}).
 *
 * @param index the point's index
 * @param seed its seed
 * @param overrides its grid/list values
 * @param status {@link RunStatus#COMPLETED} or {@link RunStatus#DIVERGED}
 * @param steps steps trained
 * @param metrics results by {@link Metric} key: final_loss, mean_pair_cosine, centroid_gap, eval_loss, ...
 */
public record SweepRow(int index, long seed, Map<String, Object> overrides, RunStatus status, long steps,
        Map<String, Double> metrics) {
    /** @return the metric, or NaN when this row lacks it (e.g. the evaluation of a diverged run) */
    public double metric(Metric m) {
        Double v = metrics.get(m.key());
        return v == null ? Double.NaN : v;
    }

    /**
     * @param name a metric key
     * @return the metric, or NaN when this row lacks it
     * @throws org.gaplab.engine.config.ConfigException for a name that is no metric, listing the known ones
     */
    public double metric(String name) {
        Double v = metrics.get(name);   // any column the row has (e.g. a gap report's statistic)
        return v != null ? v : metric(Metric.of(name));
    }

    /** @return whether the run trained all its steps */
    public boolean completed() {
        return status == RunStatus.COMPLETED;
    }
}
