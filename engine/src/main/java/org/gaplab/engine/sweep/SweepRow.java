package org.gaplab.engine.sweep;

import java.util.Map;

/**
 * One finished point: what it was and what it measured. Rows carry no timings, so the same sweep
 * gives the same rows whether run in one process or in shards (timings go to {@code timing.jsonl}).
 *
 * @param index the point's index
 * @param seed its seed
 * @param overrides its grid/list values
 * @param status "completed" or "diverged"
 * @param steps steps trained
 * @param metrics named results: final_loss, mean_pair_cosine, centroid_gap, eval_loss, ...
 */
public record SweepRow(int index, long seed, Map<String, Object> overrides, String status, long steps,
        Map<String, Double> metrics) {
    /** @return the named metric, or NaN */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
