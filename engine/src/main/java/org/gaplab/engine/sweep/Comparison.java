package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.core.UnavailableException;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.MetricsLog;
import org.gaplab.engine.train.RunStatus;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Many runs side by side: {@code train} run directories (one entry each) and sweep directories
 * (one entry per grid point, the mean and sd over its seeds, or one per run), as one table of
 * chosen metrics with the settings that differ between entries, written as text, CSV or JSON,
 * and as figures (one panel per metric; the loss curves of train runs overlaid).
 *
 * @param entries the compared entries, in the order given
 */
public record Comparison(List<Entry> entries) {
    /** Metrics shown first when present, in this order; others follow alphabetically. */
    public static final List<String> PREFERRED = List.of("final_loss", "eval_loss", "mean_pair_cosine", "centroid_gap",
            "eval_r1_1to2", "eval_r1_2to1", "eval_r5_1to2", "eval_r5_2to1", "eval_energy_distance", "eval_mmd2_rbf_1x",
            "eval_knn_jeffreys", "eval_centroid_gap", "steps_per_second");

    /**
     * One compared thing.
     *
     * @param label a short name (the directory's name, with the grid point for sweeps)
     * @param kind "run", "sweep", "measure" (a {@code measure --out} directory) or "group" (runs of
     *     several directories whose settings differ only in the seed)
     * @param source the directory read (the first one of a group)
     * @param runs runs behind the numbers (n: the seeds of a group)
     * @param settings config keys and values, flattened (e.g. {@code data.sigma})
     * @param metrics the values (for several runs, their mean)
     * @param sd the standard deviation over runs per metric (absent for one run)
     * @param loss the training loss curve as {@code [step, loss]} pairs (train runs only)
     * @param descriptions per metric, what it is computed on (sample, marginal), where known
     * @param curves the loss curve of every run behind the entry (one for a run, one per seed of a group)
     */
    public record Entry(String label, String kind, Path source, int runs, Map<String, Object> settings,
            Map<String, Double> metrics, Map<String, Double> sd, List<double[]> loss, Map<String, String> descriptions,
            List<List<double[]>> curves) {
        /** An entry without metric descriptions. */
        public Entry(String label, String kind, Path source, int runs, Map<String, Object> settings,
                Map<String, Double> metrics, Map<String, Double> sd, List<double[]> loss) {
            this(label, kind, source, runs, settings, metrics, sd, loss, Map.of());
        }

        /** An entry whose only curve is its own loss. */
        public Entry(String label, String kind, Path source, int runs, Map<String, Object> settings,
                Map<String, Double> metrics, Map<String, Double> sd, List<double[]> loss, Map<String, String> descriptions) {
            this(label, kind, source, runs, settings, metrics, sd, loss, descriptions, loss.size() > 1 ? List.of(loss) : List.of());
        }
    }

    /** What the training metrics are computed on. */
    static final Map<String, String> TRAINING_DESCRIPTIONS = Map.of(
            "final_loss", "training loss, mean of the last log interval (final_loss_window_steps)",
            "mean_pair_cosine", "whole evaluation set (eval.size pairs)",
            "centroid_gap", "whole evaluation set (eval.size pairs), each pair once",
            "eval_loss", "one evaluation batch of batch_size pairs",
            "steps_per_second", "timing of the run's process");

    /**
     * Reads directories: a train run (has {@code summary.json}), a sweep (has {@code runs.jsonl}) or
     * a measurement ({@code gap_report.json} of {@code gaplab measure --out}; in a run directory it
     * adds to the run). Every numeric statistic of a gap report is a metric ({@link ReportMetrics}).
     * Runs whose settings differ only in the seed are one entry with the mean, sd and n over them,
     * unless {@code perRun}.
     *
     * @param dirs the directories
     * @param perRun one entry per run instead of one per group of seeds
     * @return the comparison
     * @throws ConfigException for a directory that is none of these
     */
    public static Comparison read(List<Path> dirs, boolean perRun) {
        List<Entry> items = new ArrayList<>();
        List<String> keys = new ArrayList<>();        // which run each item is: its directory, or sweep#index
        List<Path> measurements = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isRegularFile(d.resolve("summary.json"))) {
                items.add(readRun(d));
                keys.add(canonical(d));
            } else if (Files.isRegularFile(d.resolve("runs.jsonl"))) {
                for (Entry e : readSweep(d)) {
                    items.add(e);
                    keys.add(canonical(d) + "#" + e.settings().get(POINT));
                }
            } else if (Files.isRegularFile(d.resolve(ReportMetrics.FILE))) {
                measurements.add(d);
            } else {
                throw new ConfigException(d + " is neither a run directory (no summary.json), a sweep directory (no runs.jsonl)"
                        + " nor a measurement (no " + ReportMetrics.FILE + ")");
            }
        }
        for (Path d : measurements) {
            // a measurement of a run that is compared too adds its statistics to that run (where the
            // run has none of that name) instead of counting as another run
            Entry m = readMeasurement(d);
            int same = keys.indexOf(measuredRun(readJson(d.resolve(ReportMetrics.FILE))));
            if (same < 0) {
                items.add(m);
                keys.add(canonical(d));
                continue;
            }
            Entry e = items.get(same);
            Map<String, Double> metrics = new LinkedHashMap<>(e.metrics());
            Map<String, String> desc = new LinkedHashMap<>(e.descriptions());
            m.metrics().forEach((k, v) -> {
                if (metrics.putIfAbsent(k, v) == null && m.descriptions().containsKey(k)) {
                    desc.put(k, m.descriptions().get(k));
                }
            });
            items.set(same, new Entry(e.label(), e.kind(), e.source(), e.runs(), e.settings(), metrics, e.sd(), e.loss(), desc, e.curves()));
        }
        if (items.isEmpty()) {
            throw new ConfigException("nothing to compare: the sweep directories hold no rows yet");
        }
        return new Comparison(perRun ? perRunLabels(items) : group(items));
    }

    private static List<Entry> perRunLabels(List<Entry> items) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : items) {
            if (!e.kind().equals("sweep")) {
                out.add(e);
                continue;
            }
            Map<String, Object> settings = new TreeMap<>(e.settings());
            settings.remove(POINT);
            String sweep = e.source().toAbsolutePath().normalize().getFileName().toString();
            out.add(new Entry(sweep + " #" + pointOf(e), e.kind(), e.source(), 1, settings, e.metrics(), e.sd(), e.loss(),
                    e.descriptions()));
        }
        return out;
    }

    private static Object pointOf(Entry e) {
        return e.settings().getOrDefault(POINT, "?");
    }

    /** A sweep row's point index, carried in its settings until grouping (never shown). */
    private static final String POINT = "(point)";

    /**
     * Groups runs whose settings are equal but for the seed: the group's metrics are the mean over
     * its runs, with the sample sd and n; its settings are those the runs share.
     */
    private static List<Entry> group(List<Entry> items) {
        Map<Map<String, Object>, List<Entry>> groups = new LinkedHashMap<>();
        for (Entry e : items) {
            Map<String, Object> key = new TreeMap<>(e.settings());
            key.remove("seed");
            key.remove(POINT);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        List<Entry> out = new ArrayList<>();
        groups.forEach((key, runs) -> {
            Entry first = runs.get(0);
            Map<String, Object> settings = new TreeMap<>(key);
            Set<Object> seeds = new LinkedHashSet<>();
            runs.forEach(r -> seeds.add(r.settings().get("seed")));
            if (seeds.size() == 1 && first.settings().containsKey("seed")) {
                settings.put("seed", first.settings().get("seed"));
            } else if (seeds.size() > 1) {
                settings.put("seed", String.join(" ", seeds.stream().map(String::valueOf).toList()));  // the group's seeds
            }
            if (runs.size() == 1 && !first.kind().equals("sweep")) {
                out.add(new Entry(first.label(), first.kind(), first.source(), 1, settings, first.metrics(), first.sd(), first.loss(),
                        first.descriptions()));
                return;
            }
            Set<String> names = new LinkedHashSet<>();
            runs.forEach(r -> names.addAll(r.metrics().keySet()));
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, Double> sd = new LinkedHashMap<>();
            for (String n : names) {
                double[] v = runs.stream().mapToDouble(r -> r.metrics().getOrDefault(n, Double.NaN)).filter(Double::isFinite).toArray();
                if (v.length == 0) {
                    continue;
                }
                double mu = java.util.Arrays.stream(v).average().getAsDouble();
                mean.put(n, mu);
                if (v.length > 1) {
                    double ss = java.util.Arrays.stream(v).map(x -> (x - mu) * (x - mu)).sum();
                    sd.put(n, Math.sqrt(ss / (v.length - 1)));
                }
            }
            Map<String, String> desc = new LinkedHashMap<>();
            runs.forEach(r -> r.descriptions().forEach(desc::putIfAbsent));
            Set<String> labels = new LinkedHashSet<>();
            runs.forEach(r -> labels.add(r.label()));
            String label = labels.size() == 1 ? first.label()
                    : labels.size() == 2 ? String.join(" + ", labels) : first.label() + " and " + (labels.size() - 1) + " more";
            String kind = runs.stream().allMatch(r -> r.kind().equals("sweep")) ? "sweep" : "group";
            List<double[]> loss = runs.size() == 1 ? first.loss() : List.of();
            List<List<double[]>> curves = new ArrayList<>();
            runs.forEach(r -> curves.addAll(r.curves()));
            out.add(new Entry(label, kind, first.source(), runs.size(), settings, mean, sd, loss, desc, curves));
        });
        return out;
    }

    private static Entry readRun(Path d) {
        JsonNode summary = readJson(d.resolve("summary.json"));
        Map<String, Double> m = new LinkedHashMap<>();
        putNumber(m, "final_loss", summary.get("final_loss"));
        JsonNode eval = summary.path("eval");
        eval.fields().forEachRemaining(e -> {
            if (!"n".equals(e.getKey())) {
                putNumber(m, e.getKey(), e.getValue());
            }
        });
        putNumber(m, "steps_per_second", summary.get("steps_per_second"));
        List<double[]> loss = new ArrayList<>();
        Path metrics = d.resolve("metrics.jsonl");
        if (Files.exists(metrics)) {
            JsonNode lastMeasure = null;
            for (JsonNode line : MetricsLog.read(metrics)) {
                String kind = line.path("kind").asText();
                if ("train".equals(kind)) {
                    loss.add(new double[] {line.path("step").asDouble(), line.path("loss").asDouble(Double.NaN)});
                } else if ("measure".equals(kind)) {
                    lastMeasure = line;
                }
            }
            if (lastMeasure != null) {
                lastMeasure.fields().forEachRemaining(e -> {
                    if (!Set.of("kind", "step", "schema_version").contains(e.getKey())) {
                        putNumber(m, "measure_" + e.getKey(), e.getValue());
                    }
                });
            }
        }
        Map<String, String> desc = new LinkedHashMap<>();
        TRAINING_DESCRIPTIONS.forEach((k, v) -> {
            if (m.containsKey(k)) {
                desc.put(k, v);
            }
        });
        addReport(d.resolve(ReportMetrics.FILE), m, desc);
        Map<String, Object> settings = new TreeMap<>();
        Path config = d.resolve("config.json");
        if (Files.exists(config)) {
            flatten("", readJson(config), settings);
            settings.remove("schema_version");
            settings.remove("name"); // the label says it
        }
        String status = summary.path("status").asText("?");
        String label = d.toAbsolutePath().normalize().getFileName().toString() + (RunStatus.COMPLETED.key().equals(status) ? "" : " (" + status + ")");
        return new Entry(label, "run", d, 1, settings, m, Map.of(), loss, desc);
    }

    /** Adds a gap report's statistics, a name the entry already has getting the prefix {@code report.}. */
    private static void addReport(Path report, Map<String, Double> m, Map<String, String> desc) {
        if (!Files.isRegularFile(report)) {
            return;
        }
        ReportMetrics.Read r = ReportMetrics.read(readJson(report));
        Set<String> taken = new java.util.HashSet<>(m.keySet());
        r.values().forEach((k, v) -> {
            String name = SweepGapMeasure.columnName(k, taken);
            m.put(name, v);
            desc.put(name, r.descriptions().get(k));
        });
    }

    private static String canonical(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** @return the run a report measured, as {@link #read} keys runs (directory, or sweep#index), or "" */
    private static String measuredRun(JsonNode report) {
        JsonNode input = report.path("input");
        if (!"run".equals(input.path("kind").asText())) {
            return "";
        }
        String src = input.path("source1").asText("").replaceAll(" tower1 \\(step \\d+\\)$", "");
        java.util.regex.Matcher pt = java.util.regex.Pattern.compile("^(.*) point (\\d+)$").matcher(src);
        return pt.matches() ? canonical(Path.of(pt.group(1))) + "#" + pt.group(2) : canonical(Path.of(src));
    }

    /**
     * A {@code measure --out} directory: its report's statistics, with the settings of the run it
     * measured when that run (or sweep point) can still be found.
     */
    private static Entry readMeasurement(Path d) {
        JsonNode report = readJson(d.resolve(ReportMetrics.FILE));
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, String> desc = new LinkedHashMap<>();
        addReport(d.resolve(ReportMetrics.FILE), m, desc);
        Map<String, Object> settings = new TreeMap<>();
        JsonNode input = report.path("input");
        if ("run".equals(input.path("kind").asText())) {
            String src = input.path("source1").asText("").replaceAll(" tower1 \\(step \\d+\\)$", "");
            java.util.regex.Matcher pt = java.util.regex.Pattern.compile("^(.*) point (\\d+)$").matcher(src);
            if (pt.matches()) {
                SweepPlan plan = planOf(Path.of(pt.group(1)));
                int index = Integer.parseInt(pt.group(2));
                if (plan != null && index < plan.points().size()) {
                    flatten("", org.gaplab.engine.config.ConfigLoader.toTree(plan.points().get(index).config()), settings);
                }
            } else if (Files.isRegularFile(Path.of(src).resolve("config.json"))) {
                flatten("", readJson(Path.of(src).resolve("config.json")), settings);
            }
            settings.remove("schema_version");
            settings.remove("name");
        }
        String label = d.toAbsolutePath().normalize().getFileName().toString();
        return new Entry(label, "measure", d, 1, settings, m, Map.of(), List.of(), desc);
    }

    /** Every row of a sweep as one run, with its per-point gap report when the sweep measured it. */
    private static List<Entry> readSweep(Path d) {
        SweepTable table = SweepTable.readJsonl(d.resolve("runs.jsonl"));
        String name = d.toAbsolutePath().normalize().getFileName().toString();
        SweepPlan plan = planOf(d);
        List<Path> reportDirs = new ArrayList<>(List.of(d));
        if (Files.isRegularFile(d.resolve("sweep.json"))) {
            readJson(d.resolve("sweep.json")).path("merged_from").forEach(n -> reportDirs.add(Path.of(n.asText())));
        }
        List<Entry> out = new ArrayList<>();
        for (SweepRow r : table.rows()) {
            Map<String, Object> settings = new TreeMap<>();
            int index = r.index();
            if (plan != null && index < plan.points().size()) {
                // the point's whole config, so settings compare with those of train runs
                flatten("", org.gaplab.engine.config.ConfigLoader.toTree(plan.points().get(index).config()), settings);
            }
            settings.putAll(r.overrides());
            settings.remove("name");
            settings.put("seed", r.seed());
            settings.put(POINT, index);
            Map<String, Double> m = new LinkedHashMap<>(r.metrics());
            Map<String, String> desc = new LinkedHashMap<>();
            TRAINING_DESCRIPTIONS.forEach((k, v) -> {
                if (m.containsKey(k)) {
                    desc.put(k, v);
                }
            });
            for (Path rd : reportDirs) {
                Path f = SweepGapMeasure.reportFile(rd, index);
                if (Files.isRegularFile(f)) {
                    ReportMetrics.Read rep = ReportMetrics.read(readJson(f));
                    rep.values().forEach((k, v) -> {
                        String col = SweepGapMeasure.columnName(k, SweepGapMeasure.TRAINING);
                        m.put(col, v);
                        desc.put(col, rep.descriptions().get(k));
                    });
                    break;
                }
            }
            String point = describe(r.overrides());
            out.add(new Entry(name + (point.isEmpty() ? "" : " " + point), "sweep", d, 1, settings, m, Map.of(), List.of(), desc));
        }
        return out;
    }

    /** The sweep's plan from its {@code sweep.json}, or null when there is none. */
    private static SweepPlan planOf(Path d) {
        if (Files.isRegularFile(d.resolve("sweep.json"))) {
            JsonNode spec = readJson(d.resolve("sweep.json")).get("spec");
            if (spec instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                return SweepPlan.of(SweepSpec.fromTree(o, "sweep spec in " + d.resolve("sweep.json")));
            }
        }
        return null;
    }

    private static String describe(Map<String, Object> overrides) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(overrides).forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(shortKey(k)).append('=').append(v));
        return b.toString();
    }

    private static String shortKey(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? key : key.substring(dot + 1);
    }

    private static void putNumber(Map<String, Double> m, String name, JsonNode v) {
        if (v != null && v.isNumber()) {
            m.put(name, v.asDouble());
        }
    }

    private static void flatten(String prefix, JsonNode n, Map<String, Object> out) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                var e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isNumber()) {
            out.put(prefix, n.numberValue());
        } else if (n.isTextual()) {
            out.put(prefix, n.asText());
        } else {
            out.put(prefix, n.toString());
        }
    }

    private static JsonNode readJson(Path f) {
        try {
            return Json.MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            throw new UnavailableException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** @return every metric name present, preferred ones first */
    public List<String> metricNames() {
        Set<String> all = new LinkedHashSet<>();
        entries.forEach(e -> all.addAll(e.metrics().keySet()));
        List<String> out = new ArrayList<>();
        PREFERRED.stream().filter(all::contains).forEach(out::add);
        all.stream().filter(n -> !out.contains(n)).sorted().forEach(out::add);
        return out;
    }

    /** @return the settings whose values differ between entries, sorted ({@code seed} for sweeps is per run) */
    public List<String> differingSettings() {
        Set<String> keys = new java.util.TreeSet<>();
        entries.forEach(e -> keys.addAll(e.settings().keySet()));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            Set<String> values = new java.util.HashSet<>();
            entries.forEach(e -> values.add(String.valueOf(e.settings().get(k))));
            if (values.size() > 1) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * Checks metric names against what the entries carry.
     *
     * @param requested names, or empty for all
     * @return the metrics to show
     * @throws ConfigException naming an unknown metric and the known ones
     */
    public List<String> choose(List<String> requested) {
        List<String> known = metricNames();
        if (requested == null || requested.isEmpty()) {
            return known;
        }
        for (String r : requested) {
            if (!known.contains(r)) {
                throw new ConfigException("--metrics: no entry has '" + r + "'; known: " + String.join(", ", known));
            }
        }
        return List.copyOf(requested);
    }

    /** @return the table as rows of cells: label, runs, differing settings, then each metric (and its sd) */
    public List<List<String>> cells(List<String> metrics) {
        List<String> settings = differingSettings();
        boolean anySd = entries.stream().anyMatch(e -> !e.sd().isEmpty());
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("entry", "runs"));
        header.addAll(settings);
        for (String m : metrics) {
            header.add(m);
            if (anySd) {
                header.add(m + "_sd");
            }
        }
        rows.add(header);
        for (Entry e : entries) {
            List<String> row = new ArrayList<>(List.of(e.label(), Integer.toString(e.runs())));
            settings.forEach(k -> row.add(e.settings().containsKey(k) ? String.valueOf(e.settings().get(k)) : ""));
            for (String m : metrics) {
                Double v = e.metrics().get(m);
                row.add(v == null ? "" : fmt(v));
                if (anySd) {
                    Double s = e.sd().get(m);
                    row.add(s == null ? "" : fmt(s));
                }
            }
            rows.add(row);
        }
        return rows;
    }

    private static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6) ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * @param metrics the metrics shown
     * @return one line per metric that says what it is computed on, and what the numbers of an
     *     entry of several runs are
     */
    public List<String> legend(List<String> metrics) {
        List<String> out = new ArrayList<>();
        if (entries.stream().anyMatch(e -> e.runs() > 1)) {
            out.add("entries of several runs (settings equal but for the seed): the mean over its runs; _sd: their sample sd; runs: n");
        }
        for (String m : metrics) {
            String d = null;
            for (Entry e : entries) {
                d = d != null ? d : e.descriptions().get(m);
            }
            if (d != null) {
                out.add(m + ": " + d);
            }
        }
        return out;
    }

    /** @return an aligned text table */
    public String text(List<String> metrics) {
        String table = table(metrics);
        List<String> legend = legend(metrics);
        return legend.isEmpty() ? table : table + "\n" + String.join("\n", legend) + "\n";
    }

    private String table(List<String> metrics) {
        List<List<String>> rows = cells(metrics);
        int[] w = new int[rows.get(0).size()];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        });
        StringBuilder b = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                String c = r.get(i);
                boolean left = i == 0;
                b.append(left ? c + " ".repeat(w[i] - c.length()) : " ".repeat(w[i] - c.length()) + c);
                b.append(i + 1 < r.size() ? "  " : "\n");
            }
        }
        return b.toString();
    }

    /** @return the table as CSV (numbers at full precision) */
    public String csv(List<String> metrics) {
        List<String> settings = differingSettings();
        boolean anySd = entries.stream().anyMatch(e -> !e.sd().isEmpty());
        StringBuilder b = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("entry", "kind", "source", "runs"));
        header.addAll(settings);
        metrics.forEach(m -> {
            header.add(m);
            if (anySd) {
                header.add(m + "_sd");
            }
        });
        b.append(String.join(",", header.stream().map(Comparison::csvCell).toList())).append('\n');
        for (Entry e : entries) {
            List<String> row = new ArrayList<>(List.of(e.label(), e.kind(), e.source().toString(), Integer.toString(e.runs())));
            settings.forEach(k -> row.add(e.settings().containsKey(k) ? String.valueOf(e.settings().get(k)) : ""));
            metrics.forEach(m -> {
                Double v = e.metrics().get(m);
                row.add(v == null ? "" : Double.toString(v));
                if (anySd) {
                    Double s = e.sd().get(m);
                    row.add(s == null ? "" : Double.toString(s));
                }
            });
            b.append(String.join(",", row.stream().map(Comparison::csvCell).toList())).append('\n');
        }
        return b.toString();
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** @return a JSON-ready object: schema version, metrics, differing settings and the entries */
    public Map<String, Object> json(List<String> metrics) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schema_version", 1);
        o.put("metrics", metrics);
        o.put("differing_settings", differingSettings());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entry", e.label());
            m.put("kind", e.kind());
            m.put("source", e.source().toString());
            m.put("runs", e.runs());
            Map<String, Object> s = new LinkedHashMap<>();
            differingSettings().forEach(k -> s.put(k, e.settings().get(k)));
            m.put("settings", s);
            Map<String, Double> vals = new LinkedHashMap<>();
            Map<String, Double> sds = new LinkedHashMap<>();
            metrics.forEach(k -> {
                if (e.metrics().containsKey(k)) {
                    vals.put(k, e.metrics().get(k));
                }
                if (e.sd().containsKey(k)) {
                    sds.put(k, e.sd().get(k));
                }
            });
            m.put("metrics", vals);
            m.put("sd", sds);
            Map<String, String> desc = new LinkedHashMap<>();
            metrics.forEach(k -> {
                if (e.descriptions().containsKey(k)) {
                    desc.put(k, e.descriptions().get(k));
                }
            });
            m.put("computed_on", desc);
            list.add(m);
        }
        o.put("entries", list);
        return o;
    }

    /**
     * Writes {@code compare.csv}, {@code compare.json}, {@code compare.txt}, {@code metrics.png/.svg/.pdf}
     * (one panel per metric: each entry's value, with sd bars over a sweep point's seeds) and, when
     * train runs are compared, {@code loss_curves.*}.
     *
     * @param dir output directory
     * @param metrics the metrics
     * @return the files' base names
     */
    public List<String> write(Path dir, List<String> metrics) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UnavailableException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Json.writeAtomically(dir.resolve("compare.csv"), csv(metrics).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Json.writeAtomically(dir.resolve("compare.txt"), text(metrics).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Json.write(dir.resolve("compare.json"), json(metrics));
        written.addAll(List.of("compare.csv", "compare.txt", "compare.json"));
        // one panel per metric, each one column wide; entries along x with readable labels (the
        // settings that differ), markers and sd bars at the same place, one colour per source
        List<String> differing = differingSettings().stream().filter(k -> !k.equals("seed")).toList();
        List<String> labels = new ArrayList<>();
        for (Entry e : entries) {
            List<String> parts = new ArrayList<>();
            differing.forEach(k -> {
                if (e.settings().containsKey(k)) {
                    parts.add(org.gaplab.engine.report.Labels.setting(k, e.settings().get(k)));
                }
            });
            labels.add(parts.isEmpty() ? e.label() : String.join(", ", parts));
        }
        List<Path> sources = entries.stream().map(Entry::source).distinct().toList();
        boolean anySd = entries.stream().anyMatch(e -> !e.sd().isEmpty());
        int longest = labels.stream().mapToInt(String::length).max().orElse(0);
        boolean rotate = longest * 4.2 * entries.size() > Figures.WIDTH - 60;
        int height = 160 + (rotate ? Math.min(110, (int) (longest * 4.2)) : 0);
        List<XYChart> panels = new ArrayList<>();
        for (String m : metrics) {
            XYChart c = Figures.lineChart(org.gaplab.engine.report.Labels.metric(m), "",
                    anySd ? "mean ± sd over seeds" : "value", Figures.WIDTH, height);
            // XChart's category charts draw markers of negative values at the top edge (their error
            // bars in the right place), so the entries sit at x = 0, 1, ... of an XY chart, labelled
            // by the tick formatter; XChart drops all tick labels when two are equal, so the ticks
            // between entries get distinct invisible labels
            c.getStyler().setXAxisMin(-0.5).setXAxisMax(entries.size() - 0.5);
            c.getStyler().setXAxisTickMarkSpacingHint(Math.max(8, (Figures.WIDTH - 60) / (2 * entries.size())));
            c.getStyler().setPlotGridVerticalLinesVisible(false);
            c.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
                long i = Math.round(v);
                return Math.abs(v - i) < 1e-6 && i >= 0 && i < labels.size() ? labels.get((int) i)
                        : "\u200B".repeat(1 + (int) Math.round(Math.abs(v + 1) * 8));
            });
            c.getStyler().setXAxisLabelRotation(rotate ? 90 : 0);
            boolean any = false;
            for (int g = 0; g < sources.size(); g++) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                List<Double> errs = new ArrayList<>();
                for (int i = 0; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    Double v = e.metrics().get(m);
                    if (e.source().equals(sources.get(g)) && v != null && Double.isFinite(v)) {
                        xs.add((double) i);
                        ys.add(v);
                        errs.add(e.sd().getOrDefault(m, 0.0));
                    }
                }
                if (xs.isEmpty()) {
                    continue;
                }
                any = true;
                String name = uniqueName(c, sources.get(g).toAbsolutePath().normalize().getFileName().toString());
                double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
                double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
                var s = anySd ? c.addSeries(name, x, y, errs.stream().mapToDouble(Double::doubleValue).toArray()) : c.addSeries(name, x, y);
                s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(Figures.PALETTE[g % Figures.PALETTE.length]);
                s.setLineColor(Figures.PALETTE[g % Figures.PALETTE.length]);
            }
            if (any) {
                c.getStyler().setLegendVisible(false);   // the colours are the sources; the tick labels say the settings
                panels.add(c);
            }
        }
        if (!panels.isEmpty()) {
            Figures.saveGrid(panels, Math.min(2, panels.size()), dir.resolve("metrics"));
            written.add("metrics");
        }
        // loss curves: one colour per entry, every run of a group (its seeds) in that colour
        List<Entry> withLoss = entries.stream().filter(e -> !e.curves().isEmpty()).toList();
        if (!withLoss.isEmpty()) {
            XYChart c = Figures.lineChart("Training loss", "step", "L_B, mean over each logged interval");
            for (int g = 0; g < withLoss.size(); g++) {
                Entry e = withLoss.get(g);
                java.awt.Color colour = Figures.PALETTE[g % Figures.PALETTE.length];
                String name = uniqueName(c, labels.get(entries.indexOf(e)) + (e.curves().size() > 1 ? " (" + e.curves().size() + " seeds)" : ""));
                for (int k = 0; k < e.curves().size(); k++) {
                    List<double[]> curve = e.curves().get(k);
                    double[] x = curve.stream().mapToDouble(p -> p[0]).toArray();
                    double[] y = curve.stream().mapToDouble(p -> p[1]).toArray();
                    var s = Figures.addLine(c, k == 0 ? name : uniqueName(c, name + " #" + k), x, y, null);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(colour);
                    s.setLineWidth(0.8f);
                    s.setShowInLegend(k == 0);
                }
            }
            Figures.save(c, dir.resolve("loss_curves"));
            written.add("loss_curves");
        }
        return written;
    }

    private static String uniqueName(XYChart c, String name) {
        String n = name;
        for (int i = 2; c.getSeriesMap().containsKey(n); i++) {
            n = name + " (" + i + ")";
        }
        return Objects.requireNonNull(n);
    }
}
