package org.gaplab.engine.experiment;

import org.gaplab.core.Json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** Writers for an experiment's output directory: CSV tables and the claims summary. */
public final class Outputs {
    private Outputs() {}

    /**
     * Writes a CSV table atomically. Numbers use {@code %.6g} with a dot decimal separator.
     *
     * @param file target file
     * @param header column names
     * @param rows one array per row, each cell a Number or a String (strings must not hold commas)
     */
    public static void csv(Path file, List<String> header, List<Object[]> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object c = row[i];
                sb.append(c instanceof Double || c instanceof Float
                        ? String.format(Locale.ROOT, "%.6g", ((Number) c).doubleValue()) : String.valueOf(c));
            }
            sb.append('\n');
        }
        Json.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code summary.md}: a title, a preamble, and one section per claim with its verdict.
     *
     * @param file target file
     * @param title the heading
     * @param preamble setup lines (markdown)
     * @param claims the checked claims
     * @param tail further markdown (tables, runtime)
     */
    public static void summary(Path file, String title, String preamble, List<Claim> claims, String tail) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n").append(preamble).append("\n\n");
        sb.append("## Claims\n\n").append("Each claim is decided by a one-sided test at level ").append(HypothesisTests.ALPHA)
                .append(" (docs/theory.md, \"Verdicts\"): SUPPORTED when it rejects \"no effect\" in the direction the paper ")
                .append("states, NOT SUPPORTED when the data contradict the claim, INCONCLUSIVE when they cannot decide.\n\n");
        for (Claim c : claims) {
            sb.append("- **").append(c.verdict().label()).append("**: ")
                    .append(c.statement()).append("\n  - source: ").append(c.source())
                    .append("\n  - criterion: ").append(c.criterion())
                    .append("\n  - this run: ").append(c.evidence()).append('\n');
        }
        sb.append('\n').append(tail).append('\n');
        Json.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The head every reproduction's JSON starts with, in this order: schema version, experiment,
     * config, device. The caller puts the rest (its wall time first) in the order it writes them.
     *
     * @param experiment the experiment's name
     * @param config its config (a record, or a map of what it records)
     * @param device where it ran
     * @return a mutable, ordered map
     */
    public static Map<String, Object> document(String experiment, Object config, String device) {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", experiment);
        doc.put("config", config);
        doc.put("device", device);
        return doc;
    }

    /**
     * A map in the order written, for JSON documents and figure legends ({@code Map.of} orders its
     * entries differently from one JVM to the next, so files and legends would change between runs).
     *
     * @param keysAndValues key, value, key, value, ...
     * @return the entries in that order
     */
    @SuppressWarnings("unchecked")
    public static <V> Map<String, V> inOrder(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("inOrder: keys and values must pair up, got " + keysAndValues.length + " items");
        }
        Map<String, V> m = new java.util.LinkedHashMap<>();
        for (int k = 0; k < keysAndValues.length; k += 2) {
            m.put((String) keysAndValues[k], (V) keysAndValues[k + 1]);
        }
        return m;
    }

    /** @return {@code x} formatted with {@code digits} decimals, locale-independent */
    public static String f(double x, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", x);
    }
}
