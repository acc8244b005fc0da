package org.gaplab.engine.report;

import java.util.Map;

/**
 * Readable names for config keys and metrics on figures: a paper's axis says "temperature τ", not
 * {@code model.temperature.tau}. Unknown names fall back to the last part of the key with spaces.
 */
public final class Labels {
    private Labels() {}

    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("model.temperature.tau", "temperature τ"),
            Map.entry("data.sigma", "heterogeneity σ"),
            Map.entry("data.weight", "mixture weight"),
            Map.entry("data.kappa", "concentration κ"),
            Map.entry("data.corruption", "corruption p"),
            Map.entry("data.feature_noise", "feature noise"),
            Map.entry("optim.lr", "learning rate"),
            Map.entry("optim.weight_decay", "weight decay"),
            Map.entry("loss.gap_weight", "gap weight λ"),
            Map.entry("batch_size", "batch size B"),
            Map.entry("steps", "training steps"),
            Map.entry("model.tower1.output_dim", "embedding dimension d"),
            Map.entry("model.tower2.output_dim", "embedding dimension d"),
            Map.entry("seed", "seed"));

    private static final Map<String, String> METRICS = Map.ofEntries(
            Map.entry("final_loss", "final training loss"),
            Map.entry("eval_loss", "held-out loss (one batch)"),
            Map.entry("mean_pair_cosine", "mean pair cosine"),
            Map.entry("centroid_gap", "centroid gap"),
            Map.entry("knn_jeffreys", "k-NN Jeffreys J"),
            Map.entry("knn_dsym", "k-NN D_sym"),
            Map.entry("energy_distance", "energy distance"),
            Map.entry("mmd2_rbf_1x", "MMD² (RBF, 1× median)"),
            Map.entry("r1_1to2", "R@1, 1→2"),
            Map.entry("r1_2to1", "R@1, 2→1"),
            Map.entry("r5_1to2", "R@5, 1→2"),
            Map.entry("r5_2to1", "R@5, 2→1"),
            Map.entry("wang_isola_alignment", "alignment (Wang-Isola)"),
            Map.entry("wang_isola_uniformity_1", "uniformity, modality 1"),
            Map.entry("wang_isola_uniformity_2", "uniformity, modality 2"),
            Map.entry("large_batch_energy", "large-batch energy L∞"),
            Map.entry("energy_E_plus_log_c_tau", "E + ln c_τ"),
            Map.entry("steps_per_second", "steps per second"));

    /**
     * @param key a dotted config key
     * @return its label, e.g. "temperature τ"
     */
    public static String key(String key) {
        String k = KEYS.get(key);
        if (k != null) {
            return k;
        }
        int dot = key.lastIndexOf('.');
        return (dot < 0 ? key : key.substring(dot + 1)).replace('_', ' ');
    }

    /**
     * @param metric a metric name (a sweep column, a compare metric, a gap report statistic)
     * @return its label, e.g. "centroid gap"; {@code report.X} reads "X (gap report)", {@code eval_X}
     *     "X (held out)", a field {@code X.std} "X, std"
     */
    public static String metric(String metric) {
        if (metric.startsWith("report.")) {
            return metric(metric.substring(7)) + " (gap report)";
        }
        String m = METRICS.get(metric);
        if (m != null) {
            return m;
        }
        if (metric.startsWith("eval_") && METRICS.containsKey(metric.substring(5))) {
            return METRICS.get(metric.substring(5)) + " (held out)";
        }
        int dot = metric.lastIndexOf('.');
        if (dot > 0 && METRICS.containsKey(metric.substring(0, dot))) {
            return METRICS.get(metric.substring(0, dot)) + ", " + metric.substring(dot + 1).replace('_', ' ');
        }
        return metric.replace('_', ' ');
    }

    /**
     * @param key a config key
     * @param value its value
     * @return "τ = 0.05"-style text for legends and tick labels
     */
    public static String setting(String key, Object value) {
        String label = key(key);
        int space = label.lastIndexOf(' ');
        String symbol = space >= 0 && label.length() - space <= 3 ? label.substring(space + 1) : label;
        String v = value instanceof Number n ? Figures.tick(n.doubleValue()) : String.valueOf(value);
        return symbol + " = " + v;
    }
}
