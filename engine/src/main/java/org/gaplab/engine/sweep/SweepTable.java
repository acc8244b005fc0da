package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.core.UnavailableException;
import org.gaplab.engine.report.Figures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The typed result of a sweep: one {@link SweepRow} per point, sorted by index, with JSONL/CSV
 * writers and figures of each metric against each numeric grid key (mean and standard deviation
 * over seeds, one series per combination of the other keys).
 *
 * @param rows the rows, sorted by index, one per point
 */
public record SweepTable(List<SweepRow> rows) {
    /** Sorts and de-duplicates (first row of an index wins). */
    public SweepTable {
        Map<Integer, SweepRow> byIndex = new TreeMap<>();
        for (SweepRow r : rows) {
            byIndex.putIfAbsent(r.index(), r);
        }
        rows = List.copyOf(byIndex.values());
    }

    /** @return the metric of every row, in row order */
    public double[] column(String metric) {
        return rows.stream().mapToDouble(r -> r.metric(metric)).toArray();
    }

    /** Reads the rows of a {@code runs.jsonl}, skipping a torn last line (a killed writer). */
    public static SweepTable readJsonl(Path file) {
        List<SweepRow> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return new SweepTable(rows);
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(Json.MAPPER.treeToValue(stripSchema(Json.MAPPER.readTree(line)), SweepRow.class));
                } catch (IOException e) {
                    // a half-written line from an interrupted append: its chunk is recomputed
                }
            }
        } catch (IOException e) {
            throw new UnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new SweepTable(rows);
    }

    private static JsonNode stripSchema(JsonNode n) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("schema_version");
        return n;
    }

    /** @return one JSON line per row, each with {@code schema_version} */
    public static String jsonLine(SweepRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", 1);
        m.putAll(Json.MAPPER.convertValue(r, Map.class));
        return Json.line(m);
    }

    /** Writes {@code runs.jsonl} (sorted) and {@code runs.csv} atomically. */
    public void write(Path dir) {
        StringBuilder jsonl = new StringBuilder();
        rows.forEach(r -> jsonl.append(jsonLine(r)).append('\n'));
        Json.writeAtomically(dir.resolve("runs.jsonl"), jsonl.toString().getBytes(StandardCharsets.UTF_8));
        Json.writeAtomically(dir.resolve("runs.csv"), csv().getBytes(StandardCharsets.UTF_8));
    }

    /** @return the table as CSV: index, seed, override keys, status, steps, metrics */
    public String csv() {
        Set<String> keys = new LinkedHashSet<>();
        Set<String> metrics = new LinkedHashSet<>();
        rows.forEach(r -> {
            keys.addAll(r.overrides().keySet());
            metrics.addAll(r.metrics().keySet());
        });
        StringBuilder sb = new StringBuilder("index,seed");
        keys.forEach(k -> sb.append(',').append(k));
        sb.append(",status,steps");
        metrics.forEach(m -> sb.append(',').append(m));
        sb.append('\n');
        for (SweepRow r : rows) {
            sb.append(r.index()).append(',').append(r.seed());
            keys.forEach(k -> sb.append(',').append(csvValue(r.overrides().get(k))));
            sb.append(',').append(r.status().key()).append(',').append(r.steps());
            metrics.forEach(m -> sb.append(',').append(r.metrics().containsKey(m) ? Double.toString(r.metrics().get(m)) : ""));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvValue(Object v) {
        if (v == null) {
            return "";
        }
        String s = v instanceof String ? (String) v : Json.line(v);
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * Writes {@code <metric>_vs_<key>.png/.svg} for each numeric grid key and metric.
     *
     * @param dir output directory
     * @param gridKeys the grid's keys
     * @return the base names written
     */
    public List<String> writeFigures(Path dir, List<String> gridKeys) {
        List<String> written = new ArrayList<>();
        if (rows.isEmpty()) {
            return written;
        }
        Set<String> metrics = new LinkedHashSet<>();
        rows.forEach(r -> metrics.addAll(r.metrics().keySet()));
        for (String key : gridKeys) {
            if (!rows.stream().allMatch(r -> r.overrides().get(key) instanceof Number)) {
                continue;
            }
            for (String metric : metrics) {
                // series = combination of the other override keys
                Map<String, TreeMap<Double, List<Double>>> series = new TreeMap<>();
                for (SweepRow r : rows) {
                    double y = r.metric(metric);
                    if (!Double.isFinite(y)) {
                        continue;
                    }
                    StringBuilder label = new StringBuilder();
                    r.overrides().entrySet().stream().filter(e -> !e.getKey().equals(key))
                            .sorted(Map.Entry.comparingByKey())
                            .forEach(e -> label.append(label.length() == 0 ? "" : ", ")
                                    .append(org.gaplab.engine.report.Labels.setting(e.getKey(), e.getValue())));
                    series.computeIfAbsent(label.length() == 0 ? metric : label.toString(), k -> new TreeMap<>())
                            .computeIfAbsent(((Number) r.overrides().get(key)).doubleValue(), k -> new ArrayList<>()).add(y);
                }
                if (series.isEmpty()) {
                    continue;
                }
                // readable labels, a log axis for a scale parameter spanning a decade, one colour per
                // group of the other grid keys with its seeds as mean and sd
                var chart = Figures.lineChart(org.gaplab.engine.report.Labels.metric(metric), org.gaplab.engine.report.Labels.key(key),
                        "mean ± sd over seeds");
                double[] xs = rows.stream().mapToDouble(r -> ((Number) r.overrides().get(key)).doubleValue()).toArray();
                if (Figures.logScale(key, xs)) {
                    Figures.logX(chart);
                }
                series.forEach((label, points) -> {
                    double[] x = points.keySet().stream().mapToDouble(Double::doubleValue).toArray();
                    double[] mean = points.values().stream().mapToDouble(v -> v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)).toArray();
                    double[] sd = points.values().stream().mapToDouble(SweepTable::sd).toArray();
                    Figures.addLine(chart, label, x, mean, sd);
                });
                String base = sanitize(metric + "_vs_" + key);
                Figures.save(chart, dir.resolve(base));
                written.add(base);
            }
        }
        return written;
    }

    private static double sd(List<Double> v) {
        if (v.size() < 2) {
            return 0;
        }
        double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
