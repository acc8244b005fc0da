package org.gaplab.engine.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.core.UnavailableException;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.report.Provenance;
import org.gaplab.engine.report.ShardMerge;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.rundir.OutputDirectory;
import org.gaplab.engine.rundir.StagedDirectory;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepRunner;
import org.gaplab.engine.sweep.SweepSpec;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.train.StopSignal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs, resumes and merges {@link Experiment}s. A run directory holds
 *
 * <pre>
 *   experiment.json    experiment, config, config hash, this shard and its units
 *   provenance.json    versions, device, command line
 *   units/&lt;id&gt;.json    one finished unit each, written atomically (a rerun skips them)
 *   sweep/             the experiment's sweep, when it declares one (a {@link SweepRunner} directory)
 *   ...                the outputs (JSON, CSV, figures, summary.md) when the directory holds every unit
 * </pre>
 *
 * Unit i belongs to shard {@code i mod n}, as a sweep's chunks do. The outputs are always rendered
 * from the units' stored results, so {@code gaplab merge} of all shards writes what one process writes.
 */
public final class ExperimentRunner {
    private static final Logger LOG = LogManager.getLogger(ExperimentRunner.class);
    /** Name of the metadata file that marks an experiment directory. */
    public static final String META = "experiment.json";
    private static final String UNITS = "units";
    private static final String SWEEP = "sweep";

    private ExperimentRunner() {}

    /**
     * Outcome of {@link #run}.
     *
     * @param complete whether the directory holds every unit and its outputs were written
     * @param interrupted whether a stop request ended the run early (rerun to resume)
     * @param document the rendered JSON document, or null when not complete
     */
    public record Outcome(boolean complete, boolean interrupted, Map<String, Object> document) {}

    /**
     * The config of a run: the paper's or the quick one, then a YAML/JSON file, then {@code key=value}
     * overrides, then {@code --seeds} and {@code --steps}.
     *
     * @param e the experiment
     * @param quick start from the quick config
     * @param file a config file, or null
     * @param overrides {@code key=value} strings, in order
     * @param seeds seeds, or null
     * @param steps steps, or null
     * @return the validated config
     */
    public static <C extends Record> C config(Experiment<C> e, boolean quick, Path file, List<String> overrides, Integer seeds,
            Integer steps) {
        C c = ConfigLoader.loadRecord(e.configType(), quick ? e.quickConfig() : e.paperConfig(), file, overrides);
        if (seeds != null) {
            if (seeds < 1) {
                throw new ConfigException("--seeds must be >= 1, got " + seeds);
            }
            c = e.withSeeds(c, seeds);
        }
        if (steps != null) {
            if (steps < 1) {
                throw new ConfigException("--steps must be >= 1, got " + steps);
            }
            c = e.withSteps(c, steps);
        }
        return c;
    }

    /** @return a short hash of the experiment and its config, tying shards together */
    public static <C extends Record> String configHash(Experiment<C> e, C config) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((e.name() + "\n" + Json.line(Json.MAPPER.valueToTree(config))).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the units of {@code shard}: unit i belongs to shard {@code i mod n} */
    public static List<String> unitsOf(List<String> units, Shard shard) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            if (shard.owns(i)) {
                out.add(units.get(i));
            }
        }
        return out;
    }

    /**
     * Runs one shard of an experiment into {@code dir}, skipping the units already there. With
     * one shard the outputs are written too.
     *
     * @param e the experiment
     * @param config its settings
     * @param dir the output directory
     * @param shard which shard
     * @param device where to compute
     * @param stop checked between units (and inside the sweep)
     * @param command the command line, for provenance
     * @return the outcome
     */
    public static <C extends Record> Outcome run(Experiment<C> e, C config, Path dir, Shard shard, DeviceChoice device,
            StopSignal stop, List<String> command) {
        return run(e, config, dir, shard, device, stop, command, false);
    }

    /**
     * As {@link #run(Experiment, Record, Path, Shard, DeviceChoice, StopSignal, List)}; {@code dir}
     * must be absent, empty or a reproduction ({@link OutputDirectory}) unless {@code force}.
     *
     * @param force write into a directory that holds files gaplab did not write
     * @return the outcome
     */
    public static <C extends Record> Outcome run(Experiment<C> e, C config, Path dir, Shard shard, DeviceChoice device,
            StopSignal stop, List<String> command, boolean force) {
        OutputDirectory.requireWritable(dir, OutputDirectory.Kind.REPRODUCTION, force);
        String hash = configHash(e, config);
        List<String> all = e.units(config);
        List<String> mine = unitsOf(all, shard);
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "gaplab reproduce " + e.name() + ", shard " + shard)) {
            if (requireSameRun(e, hash, dir, shard)) {
                // everything the earlier run wrote goes, its rendered outputs included: a run stopped
                // early must not leave the old config's numbers beside the new config's metadata
                LOG.warn("{} holds a run of another config; it is replaced", dir);
                clearAllButLock(dir);
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("schema_version", 1);
            meta.put("experiment", e.name());
            meta.put("config_hash", hash);
            meta.put("config", config);
            meta.put("shard", shard.toString());
            meta.put("units", mine);
            meta.put("all_units", all);
            meta.put("device", device.device().toString());
            Json.write(dir.resolve(META), meta);
            // the root seeds the config lays out, so the record names the seeds the results came from
            Provenance.of(device, 0, command).withSeeds(Provenance.seedsOf(config)).write(dir.resolve("provenance.json"));
            Path unitsDir = dir.resolve(UNITS);
            SweepSpec spec = e.sweep(config);
            if (spec != null) {
                SweepRunner.ShardStatus o = new SweepRunner(spec, SweepPlan.of(spec), dir.resolve(SWEEP), shard, device, stop, command)
                        .withMeasure(e.sweepMeasure(config, unitsDir)).run();
                if (o == SweepRunner.ShardStatus.INTERRUPTED) {
                    return new Outcome(false, true, null);
                }
            }
            Experiment.UnitContext ctx = new Experiment.UnitContext(device.device(), unitsDir);
            int done = 0;
            for (String unit : mine) {
                Path file = unitFile(unitsDir, unit);
                if (readUnit(file) != null) {
                    done++;
                    continue;
                }
                if (stop.requested() != null) {
                    LOG.warn("stopped by SIG{} before unit {}; finished units are saved; re-run the same command to resume",
                            stop.requested(), unit);
                    return new Outcome(false, true, null);
                }
                LOG.info("{} shard {}: unit {} ({} of {})", e.name(), shard, unit, ++done, mine.size());
                long t0 = System.nanoTime();
                Object result = e.runUnit(config, unit, ctx);
                Map<String, Object> stored = new LinkedHashMap<>();
                stored.put("schema_version", 1);
                stored.put("unit", unit);
                stored.put("seconds", (System.nanoTime() - t0) / 1e9);
                stored.put("result", result);
                Json.write(file, stored);
            }
            if (shard.count() > 1) {
                LOG.info("{} shard {} complete in {}; merge all {} shards with gaplab merge", e.name(), shard, dir, shard.count());
                return new Outcome(false, false, null);
            }
            return new Outcome(true, false, render(e, config, dir, List.of(dir), device.device().toString()));
        }
    }

    /**
     * Refuses a directory that holds another experiment, config or shard; a stale unsharded run of
     * the same experiment is replaced instead (as reruns with other options always did).
     *
     * @return whether the directory's unit results are stale and must be discarded
     */
    private static boolean requireSameRun(Experiment<?> e, String hash, Path dir, Shard shard) {
        JsonNode old = readMeta(dir);
        if (old == null) {
            return false;
        }
        boolean same = e.name().equals(old.path("experiment").asText()) && hash.equals(old.path("config_hash").asText())
                && shard.toString().equals(old.path("shard").asText());
        if (same) {
            return false;
        }
        if (shard.count() == 1 && e.name().equals(old.path("experiment").asText()) && old.path("shard").asText().equals("0/1")) {
            return true;
        }
        throw new ConfigException("output directory " + dir + " holds shard " + old.path("shard").asText() + " of "
                + old.path("experiment").asText() + " (config " + old.path("config_hash").asText() + "), not shard " + shard + " of "
                + e.name() + " (config " + hash + "); choose another --out");
    }

    /** Renders the outputs into {@code out} from the units stored in {@code out}. */
    private static <C extends Record> Map<String, Object> render(Experiment<C> e, C config, Path out, List<Path> sweepTimingDirs,
            String device) {
        Path unitsDir = out.resolve(UNITS);
        Map<String, JsonNode> units = new LinkedHashMap<>();
        double seconds = 0;
        for (String unit : e.units(config)) {
            JsonNode n = readUnit(unitFile(unitsDir, unit));
            if (n == null) {
                throw new IllegalStateException("unit " + unit + " has no result in " + unitsDir);
            }
            units.put(unit, n.get("result"));
            seconds += n.path("seconds").asDouble();
        }
        Map<String, JsonNode> extra = new TreeMap<>();
        if (Files.isDirectory(unitsDir)) {
            try (var files = Files.list(unitsDir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    String id = name.endsWith(".json") ? name.substring(0, name.length() - 5) : null;
                    if (id != null && !units.containsKey(id) && !name.startsWith(".")) {
                        extra.put(id, Json.MAPPER.readTree(f.toFile()));
                    }
                }
            } catch (IOException ex) {
                throw new UnavailableException("cannot read " + unitsDir + ": " + ex.getMessage(), ex);
            }
        }
        SweepTable sweep = null;
        if (e.sweep(config) != null) {
            sweep = SweepTable.readJsonl(out.resolve(SWEEP).resolve("runs.jsonl"));
            for (Path d : sweepTimingDirs) {
                seconds += sweepSeconds(d.resolve(SWEEP).resolve("timing.jsonl"));
            }
        }
        return e.render(config, new Experiment.Results(units, sweep, extra, seconds, device), out);
    }

    private static double sweepSeconds(Path timing) {
        if (!Files.exists(timing)) {
            return 0;
        }
        try {
            double s = 0;
            for (String line : Files.readAllLines(timing)) {
                if (!line.isBlank()) {
                    s += Json.MAPPER.readTree(line).path("seconds").asDouble();
                }
            }
            return s;
        } catch (IOException ex) {
            return 0;
        }
    }

    private static Path unitFile(Path unitsDir, String unit) {
        return unitsDir.resolve(unit + ".json");
    }

    /** @return a stored unit, or null when absent or unreadable (a unit written half is recomputed) */
    private static JsonNode readUnit(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            return n != null && n.has("result") ? n : null;
        } catch (IOException ex) {
            return null;
        }
    }

    private static JsonNode readMeta(Path dir) {
        Path f = dir.resolve(META);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(f.toFile());
        } catch (IOException ex) {
            throw new ConfigException("cannot read " + f + ": " + ex.getMessage());
        }
    }

    /** @return whether {@code dir} (or a directory directly inside it) holds an experiment run */
    public static boolean isExperimentDir(Path dir) {
        if (Files.exists(dir.resolve(META))) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var children = Files.list(dir)) {
            return children.anyMatch(c -> Files.exists(c.resolve(META)));
        } catch (IOException ex) {
            return false;
        }
    }

    /**
     * Merges the directories of every shard of one experiment run into {@code out}: the units are
     * gathered (and the sweep merged) and the outputs rendered as one process would. Refuses,
     * writing nothing, when a shard is missing, incomplete or given twice, when the shards belong
     * to different experiments or configs, and when {@code out} is one of the inputs.
     *
     * @param given shard directories (a directory without experiment.json stands for those inside it)
     * @param out where the merged run goes
     * @return the rendered JSON document
     */
    public static Map<String, Object> merge(List<Path> given, Path out) {
        return merge(given, out, false);
    }

    /**
     * As {@link #merge(List, Path)}; the merged run is built beside {@code out} and renamed into
     * place, so a killed merge leaves nothing that blocks its rerun.
     *
     * @param force write into an {@code out} that holds other files
     * @return the rendered JSON document
     */
    public static Map<String, Object> merge(List<Path> given, Path out, boolean force) {
        List<Path> dirs = ShardMerge.shardDirs(given, out, META);
        ShardMerge.Shards shards = new ShardMerge.Shards();
        JsonNode first = null;
        int count = -1;
        for (Path d : dirs) {
            JsonNode m = readMeta(d);
            if (m == null) {
                throw new ConfigException(d + " is not an experiment output directory (no " + META + ")");
            }
            Shard s = Shard.parse(m.path("shard").asText());
            if (first == null) {
                first = m;
                count = s.count();
            } else if (!first.path("experiment").asText().equals(m.path("experiment").asText())
                    || !first.path("config_hash").asText().equals(m.path("config_hash").asText()) || count != s.count()) {
                throw new ConfigException(d + " belongs to another run (" + m.path("experiment").asText() + ", config "
                        + m.path("config_hash").asText() + ", " + s.count() + " shards) than " + dirs.get(0) + " ("
                        + first.path("experiment").asText() + ", config " + first.path("config_hash").asText() + ", " + count + " shards)");
            }
            shards.add(s.index(), s.toString(), d);
            List<String> missing = new ArrayList<>();
            m.path("units").forEach(u -> {
                if (readUnit(unitFile(d.resolve(UNITS), u.asText())) == null) {
                    missing.add(u.asText());
                }
            });
            if (!missing.isEmpty()) {
                throw new ConfigException("shard " + s + " in " + d + " is incomplete: no result for unit(s) " + String.join(", ", missing)
                        + "; re-run it before merging");
            }
        }
        List<Path> shardDirs = shards.requireAll(count);
        ShardMerge.requireOutsideInputs(out, given, dirs);
        Experiment<?> e = Experiments.get(first.path("experiment").asText());
        return mergeAs(e, first, shardDirs, out, force);
    }

    private static <C extends Record> Map<String, Object> mergeAs(Experiment<C> e, JsonNode meta, List<Path> shardDirs, Path out,
            boolean force) {
        C config;
        try {
            config = Json.MAPPER.treeToValue(meta.get("config"), e.configType());
        } catch (IOException | IllegalArgumentException ex) {
            throw new ConfigException(shardDirs.get(0) + ": its config cannot be read by this version: " + ex.getMessage());
        }
        if (!configHash(e, config).equals(meta.path("config_hash").asText())) {
            throw new ConfigException(shardDirs.get(0) + " was written by another version of gaplab (its config hash differs); "
                    + "re-run the shards with this version");
        }
        boolean foreign = requireMergeTarget(e, meta, out, force);
        // everything is built in a staging directory and renamed into place: a merge killed half way
        // leaves nothing in out that would block its rerun
        try (StagedDirectory staged = StagedDirectory.open(out, "gaplab merge")) {
            Path stage = staged.path();
            if (e.sweep(config) != null) {
                // refuses, writing nothing, unless every sweep shard is complete
                SweepRunner.merge(shardDirs.stream().map(d -> d.resolve(SWEEP)).toList(), stage.resolve(SWEEP));
            }
            Path unitsDir = stage.resolve(UNITS);
            Files.createDirectories(unitsDir);
            for (Path d : shardDirs) {
                Path from = d.resolve(UNITS);
                if (!Files.isDirectory(from)) {
                    continue;
                }
                try (var files = Files.list(from)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")
                            && !f.getFileName().toString().startsWith(".")).toList()) {
                        Files.copy(f, unitsDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            ObjectNode m = meta.deepCopy();
            m.put("shard", "merged");
            m.set("units", meta.get("all_units"));
            m.set("merged_from", Json.MAPPER.valueToTree(shardDirs.stream().map(Path::toString).toList()));
            Json.write(stage.resolve(META), m);
            Map<String, Object> doc = render(e, config, stage, shardDirs, meta.path("device").asText());
            staged.install(foreign);
            return doc;
        } catch (IOException ex) {
            throw new UnavailableException("cannot merge into " + out + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A merge may write into a new or empty directory, or over an earlier merge of the same
     * experiment and config; anything else is refused before anything is written.
     */
    private static boolean requireMergeTarget(Experiment<?> e, JsonNode meta, Path out, boolean force) {
        OutputDirectory.requireNotSystem(out);
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (var entries = Files.list(out)) {
            if (entries.allMatch(p -> p.getFileName().toString().equals(DirectoryLock.FILE_NAME))) {
                return false;
            }
        } catch (IOException ex) {
            throw new UnavailableException("cannot list " + out + ": " + ex.getMessage(), ex);
        }
        JsonNode old = readMeta(out);
        if (force && (old == null || !e.name().equals(old.path("experiment").asText())
                || !meta.path("config_hash").asText().equals(old.path("config_hash").asText()))) {
            return true;
        }
        if (old == null) {
            throw new ConfigException("--out " + out + " is not empty and holds no reproduction; choose a new or empty directory,"
                    + " or pass --force to write into it anyway");
        }
        if (!e.name().equals(old.path("experiment").asText())
                || !meta.path("config_hash").asText().equals(old.path("config_hash").asText())) {
            throw new ConfigException("--out " + out + " holds a run of " + old.path("experiment").asText() + " (config "
                    + old.path("config_hash").asText() + "), not of " + e.name() + " (config " + meta.path("config_hash").asText()
                    + "); choose another --out");
        }
        return false;
    }

    /** Deletes everything in {@code dir} but the lock file its writer holds. */
    private static void clearAllButLock(Path dir) {
        try (var entries = Files.list(dir)) {
            for (Path p : entries.filter(p -> !p.getFileName().toString().equals(DirectoryLock.FILE_NAME)).toList()) {
                deleteTree(p);
            }
        } catch (IOException ex) {
            throw new UnavailableException("cannot clear " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException ex) {
            throw new UnavailableException("cannot clear " + dir + ": " + ex.getMessage(), ex);
        }
    }
}
