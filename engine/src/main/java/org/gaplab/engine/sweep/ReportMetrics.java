package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every numeric statistic of a {@code gap_report.json} as a named metric, read generically so
 * statistics added to the report later appear without a change here:
 *
 * <ul>
 *   <li>an estimate {@code {"name": N, "full": .., "mean": .., "std": .., ...}} gives {@code N}
 *       (its whole-set value where the report has one, else its subsample mean) and
 *       {@code N.<field>} for each numeric field ({@code N.full}, {@code N.mean}, {@code N.std},
 *       {@code N.shuffle_mean}, ...);</li>
 *   <li>any other section gives its numeric leaves by dotted path, an array element named by its
 *       {@code statistic}, {@code name} or {@code batch_size} field (else its position):
 *       {@code permutation_tests.energy_distance.p_value}, {@code theory.large_batch_energy},
 *       {@code theory.finite_batch.64.loss_minus_log_b};</li>
 *   <li>{@code input}, {@code settings}, {@code timing_seconds} and {@code schema_version}
 *       describe the measurement, not the embeddings, and are left out.</li>
 * </ul>
 *
 * Each metric also gets a description of which sample it is computed on (whole set, or the mean
 * over R subsamples of m) and which marginal, for the tables that show it.
 */
public final class ReportMetrics {
    private static final Set<String> SKIP = Set.of("input", "settings", "timing_seconds", "schema_version", "notes");
    private static final List<String> ELEMENT_KEYS = List.of("statistic", "name", "batch_size", "k");

    /** The file {@code gaplab measure --out} writes. */
    public static final String FILE = "gap_report.json";

    private ReportMetrics() {}

    /**
     * A report's metrics.
     *
     * @param values metric name to value, in report order
     * @param descriptions metric name to what it is computed on
     */
    public record Read(Map<String, Double> values, Map<String, String> descriptions) {}

    /**
     * @param report a parsed gap_report.json
     * @return its numeric statistics
     */
    public static Read read(JsonNode report) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, String> desc = new LinkedHashMap<>();
        JsonNode settings = report.path("settings");
        int r = settings.path("subsamples").asInt(0);
        int m = settings.path("subsample_size").asInt(0);
        String marginal = settings.path("marginal").asText("");
        String subsample = "mean of " + r + " subsamples (m = " + m + ")";
        Iterator<Map.Entry<String, JsonNode>> it = report.fields();
        while (it.hasNext()) {
            var section = it.next();
            String key = section.getKey();
            if (SKIP.contains(key)) {
                continue;
            }
            if ("estimates".equals(key) && section.getValue().isArray()) {
                for (JsonNode e : section.getValue()) {
                    String name = e.path("name").asText(null);
                    if (name == null) {
                        continue;
                    }
                    String sample = e.path("sample").asText("");
                    String of = sample.isEmpty() ? "" : sample + " sample, ";
                    String marg = "independent".equals(sample) && !marginal.isEmpty() ? ", marginal " + marginal : "";
                    String flag = e.path("reliable").isBoolean() && !e.path("reliable").asBoolean() ? " (flagged unreliable)" : "";
                    JsonNode full = e.get("full");
                    JsonNode mean = e.get("mean");
                    if (full != null && full.isNumber()) {
                        values.put(name, full.asDouble());
                        desc.put(name, "whole set" + marg + flag);
                    } else if (mean != null && mean.isNumber()) {
                        values.put(name, mean.asDouble());
                        desc.put(name, of + subsample + marg + flag);
                    }
                    e.fields().forEachRemaining(f -> {
                        if (f.getValue().isNumber()) {
                            String n = name + "." + f.getKey();
                            values.put(n, f.getValue().asDouble());
                            desc.put(n, describeField(f.getKey(), of, subsample) + marg + flag);
                        }
                    });
                }
                continue;
            }
            leaves(key, section.getValue(), values, desc);
        }
        return new Read(values, desc);
    }

    private static String describeField(String field, String of, String subsample) {
        return switch (field) {
            case "full" -> "whole set";
            case "mean" -> of + subsample;
            case "std" -> "sd over the subsamples";
            case "shuffle_full" -> "whole set, pairing shuffled";
            case "shuffle_mean" -> of + subsample + ", pairing shuffled";
            case "shuffle_std" -> "sd over the subsamples, pairing shuffled";
            default -> field.replace('_', ' ');
        };
    }

    private static void leaves(String path, JsonNode n, Map<String, Double> values, Map<String, String> desc) {
        if (n.isNumber()) {
            values.put(path, n.asDouble());
            desc.put(path, path.startsWith("permutation_tests") ? "permutation test" : "report section " + path.split("\\.")[0]);
        } else if (n.isObject()) {
            n.fields().forEachRemaining(f -> leaves(path + "." + f.getKey(), f.getValue(), values, desc));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode el = n.get(i);
                String id = Integer.toString(i);
                String idKey = null;
                for (String k : ELEMENT_KEYS) {
                    if (el.isObject() && el.path(k).isValueNode()) {
                        id = el.path(k).asText();
                        idKey = k;
                        break;
                    }
                }
                if (idKey != null) {
                    var copy = ((com.fasterxml.jackson.databind.node.ObjectNode) el).deepCopy();
                    copy.remove(idKey);
                    el = copy;
                }
                leaves(path + "." + id, el, values, desc);
            }
        }
    }
}
