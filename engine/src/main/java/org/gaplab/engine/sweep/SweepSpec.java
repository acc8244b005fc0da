package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep: a base config, a grid (Cartesian product over config keys) and/or a list of override
 * sets, and a range of seeds. Points are numbered in a fixed order: list entries (outer), grid
 * (row-major in key order), seeds (inner).
 *
 * <pre>
 * name: modality-gap
 * base: {steps: 2000}                 # any config keys, as in a train config
 * grid: {data.sigma: [0, 0.1, 0.2]}   # dotted keys to lists of values
 * list: [{optim.lr: 1e-3}, {optim.lr: 5e-3}]
 * seeds: {start: 0, count: 20}
 * chunk: 0                            # runs stacked per computation; 0 = automatic
 * </pre>
 *
 * @param name label for outputs
 * @param base the resolved base config
 * @param grid grid axes: dotted key to values
 * @param list override sets
 * @param seedStart first seed
 * @param seedCount number of seeds
 * @param chunk runs per stacked computation; 0 = automatic ({@link SweepPlan#autoChunk})
 * @param source the spec as written (for the hash that ties shards together)
 */
public record SweepSpec(String name, RunConfig base, Map<String, List<Object>> grid, List<Map<String, Object>> list,
        long seedStart, int seedCount, int chunk, JsonNode source) {

    private static final List<String> KEYS = List.of("name", "base", "grid", "list", "seeds", "chunk", "schema_version");

    /** Validates. */
    public SweepSpec {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}") || name.matches("\\.+")) {
            // the name becomes sweeps/<name>: "." or ".." would write into sweeps/ itself or the working directory
            throw new ConfigException("sweep name must be 1-64 letters, digits, '.', '_' or '-', and not only dots, got '" + name + "'");
        }
        if (seedCount < 1 || seedStart < 0) {
            throw new ConfigException("sweep seeds: need start >= 0 and count >= 1, got start " + seedStart + ", count " + seedCount);
        }
        if (seedStart > Long.MAX_VALUE - (seedCount - 1L)) {
            throw new ConfigException("sweep seeds: start + count - 1 must be at most 2^63 - 1 (" + Long.MAX_VALUE + "), got start "
                    + seedStart + " and count " + seedCount);
        }
        if (chunk < 0 || chunk > MAX_POINTS) {
            throw new ConfigException("sweep chunk must be between 0 (automatic) and " + MAX_POINTS + ", got " + chunk);
        }
        grid = grid == null ? Map.of() : grid;
        list = list == null ? List.of() : list;
        for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new ConfigException("sweep grid key '" + e.getKey() + "' has no values");
            }
        }
    }

    /**
     * Reads a YAML or JSON sweep spec.
     *
     * @param file the spec
     * @return the validated spec (every point's config is validated too)
     */
    public static SweepSpec read(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        JsonNode root;
        try {
            root = (n.endsWith(".json") ? Json.MAPPER : Json.YAML).readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("sweep spec " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("sweep spec " + file + " cannot be parsed: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("sweep spec " + file + ": the top level must be a mapping (name, base, grid, list, seeds, chunk)");
        }
        return fromTree((ObjectNode) root, "sweep spec " + file);
    }

    /** Builds a spec from a JSON tree; {@code where} names it in errors. */
    public static SweepSpec fromTree(ObjectNode root, String where) {
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!KEYS.contains(k)) {
                throw new ConfigException(where + ": unknown key '" + k + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        RunConfig base = RunConfig.defaults();
        if (root.has("base")) {
            if (!root.get("base").isObject()) {
                throw new ConfigException(where + ": 'base' must be a mapping of config keys");
            }
            Map<String, Object> flat = new LinkedHashMap<>();
            flatten("", root.get("base"), flat);
            base = ConfigLoader.override(base, flat);
        }
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        if (root.has("grid")) {
            if (!root.get("grid").isObject()) {
                throw new ConfigException(where + ": 'grid' must map config keys to lists of values");
            }
            root.get("grid").fields().forEachRemaining(e -> {
                if (!e.getValue().isArray()) {
                    throw new ConfigException(where + ": grid key '" + e.getKey() + "' must be a list of values");
                }
                List<Object> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(Json.MAPPER.convertValue(v, Object.class)));
                grid.put(e.getKey(), values);
            });
        }
        List<Map<String, Object>> list = new ArrayList<>();
        if (root.has("list")) {
            if (!root.get("list").isArray()) {
                throw new ConfigException(where + ": 'list' must be a list of mappings of config keys");
            }
            for (JsonNode entry : root.get("list")) {
                Map<String, Object> flat = new LinkedHashMap<>();
                flatten("", entry, flat);
                list.add(flat);
            }
        }
        long start = 0;
        int count = 1;
        JsonNode seeds = root.get("seeds");
        if (seeds != null) {
            if (seeds.isInt()) {
                count = seeds.asInt();
            } else if (seeds.isObject()) {
                if (!seeds.path("start").isMissingNode() && !seeds.path("start").canConvertToExactIntegral()
                        || !seeds.path("start").isMissingNode() && !seeds.path("start").canConvertToLong()) {
                    throw new ConfigException(where + ": seeds.start must be an integer in [0, 2^63 - 1], got " + seeds.path("start"));
                }
                if (!seeds.path("count").canConvertToInt() || !seeds.path("count").canConvertToExactIntegral()) {
                    throw new ConfigException(where + ": seeds.count must be an integer in [1, " + MAX_POINTS + "], got "
                            + seeds.path("count"));
                }
                start = seeds.path("start").asLong(0);
                count = seeds.path("count").asInt(-1);
            } else if (seeds.isTextual() && seeds.asText().matches("\\d{1,18}\\.\\.\\d{1,18}")) {
                String[] p = seeds.asText().split("\\.\\.");
                start = Long.parseLong(p[0]);
                long span = Long.parseLong(p[1]) - start + 1;
                if (span < 1 || span > MAX_POINTS) {
                    throw new ConfigException(where + ": seeds \"" + seeds.asText() + "\" must be A..B with A <= B and at most "
                            + MAX_POINTS + " seeds");
                }
                count = (int) span;
            } else {
                throw new ConfigException(where + ": seeds must be a count, {start: S, count: N} or \"A..B\"");
            }
        }
        int chunk = root.path("chunk").isTextual() && root.path("chunk").asText().equals("auto") ? 0 : root.path("chunk").asInt(0);
        SweepSpec spec = new SweepSpec(root.path("name").asText("sweep"), base, grid, list, start, count, chunk, root);
        if (spec.size() == 0) {
            throw new ConfigException(where + ": the sweep has no points");
        }
        if (spec.size() > MAX_POINTS) {
            // every point's validated config is held in memory: 10^12 points would fill any heap before a refusal
            throw new ConfigException(where + ": the sweep has " + (spec.size() == Long.MAX_VALUE ? "more than 2^63" : spec.size())
                    + " points (list x grid x seeds), more than the " + MAX_POINTS + " one spec may hold; split it into several"
                    + " specs (sharding does not lower the count: every shard plans the whole sweep)");
        }
        spec.points(); // validates every point's config now, naming the key
        return spec;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, Json.MAPPER.convertValue(node, Object.class));
        }
    }

    /** @return the number of points */
    public long size() {
        long n = Math.max(1, list.size());
        for (List<Object> v : grid.values()) {
            n = org.gaplab.core.Sizes.product(n, v.size());
        }
        return org.gaplab.core.Sizes.product(n, seedCount);
    }

    /** Most points (runs) one sweep spec may hold: each point keeps its validated config in memory. */
    public static final long MAX_POINTS = 1_000_000;

    /** @return every point, numbered, with its validated config */
    public List<SweepPoint> points() {
        List<Map<String, Object>> combos = new ArrayList<>();
        List<Map<String, Object>> outer = list.isEmpty() ? List.of(Map.of()) : list;
        for (Map<String, Object> o : outer) {
            List<Map<String, Object>> acc = new ArrayList<>();
            acc.add(new LinkedHashMap<>(o));
            for (Map.Entry<String, List<Object>> axis : grid.entrySet()) {
                List<Map<String, Object>> next = new ArrayList<>();
                for (Map<String, Object> partial : acc) {
                    for (Object v : axis.getValue()) {
                        Map<String, Object> m = new LinkedHashMap<>(partial);
                        m.put(axis.getKey(), v);
                        next.add(m);
                    }
                }
                acc = next;
            }
            combos.addAll(acc);
        }
        List<SweepPoint> points = new ArrayList<>();
        int index = 0;
        for (Map<String, Object> overrides : combos) {
            RunConfig c;
            try {
                c = ConfigLoader.override(base, overrides);
            } catch (ConfigException e) {
                throw new ConfigException("sweep point " + overrides + ": " + e.getMessage());
            }
            for (int s = 0; s < seedCount; s++) {
                long seed = seedStart + s;
                points.add(new SweepPoint(index++, Map.copyOf(overrides), seed, c.withSeed(seed).withName(name)));
            }
        }
        return points;
    }

    /** @return a short hash of the spec as written plus the chunk size in use, tying shards together */
    public String hash(int chunkSize) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Json.line(source).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Json.line(ConfigLoader.toTree(base)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Integer.toString(chunkSize).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
