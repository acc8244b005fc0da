package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.core.UnavailableException;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.report.ShardMerge;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.report.Provenance;
import org.gaplab.engine.report.RunLogFile;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.rundir.OutputDirectory;
import org.gaplab.engine.rundir.StagedDirectory;
import org.gaplab.engine.train.StopSignal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one shard of a sweep into a directory:
 *
 * <pre>
 *   sweep.json       spec, hash, plan (chunk size, chunks), this shard and its points
 *   runs.jsonl       one row per finished point, appended chunk by chunk (sorted when complete)
 *   runs.csv         the same table as CSV (when complete)
 *   timing.jsonl     seconds and run-steps/s per chunk (timings never enter the rows)
 *   provenance.json, sweep.log, and figures &lt;metric&gt;_vs_&lt;key&gt;.png/.svg (when complete)
 * </pre>
 *
 * Re-running the same command in the same directory skips finished chunks, so a failed or
 * pre-empted shard neither loses nor duplicates rows. A stop request (SIGTERM/SIGINT) abandons the
 * chunk in progress; it is recomputed on the next run.
 */
public final class SweepRunner {
    private static final Logger LOG = LogManager.getLogger(SweepRunner.class);

    /** How a shard run ended: every chunk done, or stopped by a signal (rerun to resume). */
    public enum ShardStatus { COMPLETE, INTERRUPTED }

    private final SweepSpec spec;
    private final SweepPlan plan;
    private final Path out;
    private final Shard shard;
    private final DeviceChoice device;
    private final StopSignal stop;
    private final List<String> command;
    private Sweeps.RunMeasure measure;
    private boolean force;
    private org.gaplab.engine.measure.MeasureOptions gapOptions;
    private boolean keepCheckpoints;

    /**
     * @param spec the sweep
     * @param plan its plan
     * @param out the shard's directory
     * @param shard which shard
     * @param device where to train
     * @param stop stop flag
     * @param command command line for provenance
     */
    public SweepRunner(SweepSpec spec, SweepPlan plan, Path out, Shard shard, DeviceChoice device, StopSignal stop,
            List<String> command) {
        this.spec = spec;
        this.plan = plan;
        this.out = out;
        this.shard = shard;
        this.device = device;
        this.stop = stop;
        this.command = command;
    }

    /**
     * Adds per-run statistics to every row (e.g. retrieval, divergences, energy distance), measured
     * after training on each run's evaluation set.
     *
     * @param m the measure, or null for the basic four metrics
     * @return this runner
     */
    public SweepRunner withMeasure(Sweeps.RunMeasure m) {
        this.measure = m;
        return this;
    }

    /**
     * @param on write into an output directory that holds files gaplab did not write (--force)
     * @return this runner
     */
    public SweepRunner withForce(boolean on) {
        this.force = on;
        return this;
    }

    /**
     * Measures every run by {@code gaplab measure --run}'s code (report per run under
     * {@value SweepGapMeasure#DIR}/, headline numbers in the rows).
     *
     * @param options the measurement's options, or null for none
     * @return this runner
     */
    public SweepRunner withGapMeasure(org.gaplab.engine.measure.MeasureOptions options) {
        this.gapOptions = options;
        return this;
    }

    /**
     * @param keep whether each chunk's stacked checkpoint is kept under
     *     {@value org.gaplab.engine.checkpoint.RunArtifacts#SWEEP_CHECKPOINTS}/ (default: not; {@code gaplab sweep} keeps them)
     * @return this runner
     */
    public SweepRunner withCheckpoints(boolean keep) {
        this.keepCheckpoints = keep;
        return this;
    }

    /** @return the spec hash, with the measurement's options when runs are measured (shards must agree on both) */
    private String hash() {
        String h = spec.hash(plan.chunkSize());
        if (gapOptions == null) {
            return h;
        }
        return h + "-m" + Integer.toHexString(Json.line(gapOptions).hashCode());
    }

    /** @return whether the shard completed or was interrupted */
    public ShardStatus run() {
        String hash = hash();
        OutputDirectory.requireWritable(out, OutputDirectory.Kind.SWEEP, force);
        requireSameShard(hash); // before the lock, so a refusal leaves the directory as it was
        try (DirectoryLock lock = DirectoryLock.acquire(out, "gaplab sweep, shard " + shard);
                RunLogFile log = prepare(hash)) {
            dropTornTail(out.resolve("runs.jsonl"));
            Set<Integer> done = new HashSet<>();
            SweepTable.readJsonl(out.resolve("runs.jsonl")).rows().forEach(r -> done.add(r.index()));
            List<Integer> mine = plan.chunksOf(shard);
            List<Integer> todo = new ArrayList<>();
            for (int c : mine) {
                if (!done.containsAll(plan.chunks().get(c))) {
                    todo.add(c);
                }
            }
            long steps = plan.points().get(0).config().steps();
            long total = plan.pointsOf(shard).size() * steps;
            long already = (long) (plan.pointsOf(shard).size() - todo.stream().mapToInt(c -> plan.chunks().get(c).size()).sum()) * steps;
            LOG.info("sweep {} shard {}: {} points in {} chunks of up to {} stacked runs on {} ({}); {} chunks to do",
                    spec.name(), shard, plan.pointsOf(shard).size(), mine.size(), plan.chunkSize(), device.device(),
                    device.summary(), todo.size());
            LOG.debug("device: {}", device.reason());
            try (Progress progress = Progress.start("sweep " + spec.name() + " " + shard, total)) {
                long[] doneSteps = {already};
                progress.update(already, null);
                for (int c : todo) {
                    List<SweepPoint> points = plan.chunks().get(c).stream().map(i -> plan.points().get(i)).toList();
                    long t0 = System.nanoTime();
                    Path ckpt = keepCheckpoints ? out.resolve(org.gaplab.engine.checkpoint.RunArtifacts.SWEEP_CHECKPOINTS)
                            .resolve(org.gaplab.engine.checkpoint.RunArtifacts.chunkFileName(c)) : null;
                    List<SweepRow> rows = Sweeps.trainChunk(points, device.device(), stop, n -> {
                        doneSteps[0] += n;
                        progress.update(doneSteps[0], n == 0 ? "chunk " + c + ", evaluating" : "chunk " + c);
                    }, measure, ckpt, gapOptions == null ? null : new SweepGapMeasure(gapOptions, out));
                    if (rows == null) {
                        LOG.warn("stopped by SIG{} during chunk {}; finished chunks are saved; re-run the same command to resume",
                                stop.requested(), c);
                        return ShardStatus.INTERRUPTED;
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    append(out.resolve("runs.jsonl"), rows.stream().map(SweepTable::jsonLine).toList());
                    Map<String, Object> timing = new LinkedHashMap<>();
                    timing.put("schema_version", 1);
                    timing.put("chunk", c);
                    timing.put("runs", points.size());
                    timing.put("seconds", secs);
                    timing.put("run_steps_per_second", points.size() * steps / secs);
                    append(out.resolve("timing.jsonl"), List.of(Json.line(timing)));
                    if (stop.requested() != null) {
                        LOG.warn("stopped by SIG{} after chunk {}; re-run the same command to resume", stop.requested(), c);
                        return ShardStatus.INTERRUPTED;
                    }
                }
            }
            SweepTable table = SweepTable.readJsonl(out.resolve("runs.jsonl"));
            table.write(out);
            table.writeFigures(out, new ArrayList<>(spec.grid().keySet()));
            LOG.info("sweep {} shard {} complete: {} rows in {}", spec.name(), shard, table.rows().size(), out);
            return ShardStatus.COMPLETE;
        }
    }

    /** Writes sweep.json and provenance into the locked directory and starts the log. */
    private RunLogFile prepare(String hash) {
        requireSameShard(hash);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", 1);
        m.put("name", spec.name());
        m.put("spec_hash", hash);
        m.put("spec", spec.source());
        m.put("points", plan.points().size());
        m.put("chunk_size", plan.chunkSize());
        m.put("chunks", plan.chunks());
        m.put("shard", shard.toString());
        m.put("shard_points", plan.pointsOf(shard));
        m.put("grid_keys", new ArrayList<>(spec.grid().keySet()));
        if (keepCheckpoints) {
            m.put("checkpoints", org.gaplab.engine.checkpoint.RunArtifacts.SWEEP_CHECKPOINTS + "/chunk-<c>.ckpt");
        }
        if (gapOptions != null) {
            m.put("measure", gapOptions);
            m.put("measure_reports", SweepGapMeasure.DIR + "/point-<index>.json");
        }
        // final_loss of every row: the mean training loss of this many last steps, as in `train`
        m.put("final_loss_window_steps", org.gaplab.engine.train.TrainingRun.logInterval(plan.points().get(0).config()));
        Json.write(out.resolve("sweep.json"), m);
        Provenance.of(device, spec.seedStart(), command).write(out.resolve("provenance.json"));
        return RunLogFile.attach(out.resolve("sweep.log"));
    }

    /** Refuses a directory that holds another sweep or shard. */
    private void requireSameShard(String hash) {
        Path meta = out.resolve("sweep.json");
        if (Files.exists(meta)) {
            try {
                JsonNode old = Json.MAPPER.readTree(meta.toFile());
                if (!hash.equals(old.path("spec_hash").asText()) || !shard.toString().equals(old.path("shard").asText())) {
                    throw new ConfigException("output directory " + out + " holds shard " + old.path("shard").asText()
                            + " of sweep " + old.path("spec_hash").asText() + ", not shard " + shard + " of " + hash
                            + "; choose another --out");
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read " + meta + ": " + e.getMessage());
            }
        }
    }

    /**
     * A process killed while appending leaves a partial last line; cut it off so the next append
     * starts on a fresh line (its chunk is recomputed because its rows are incomplete).
     */
    static void dropTornTail(Path file) {
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes[bytes.length - 1] == '\n') {
                return;
            }
            int end = bytes.length - 1;
            while (end >= 0 && bytes[end] != '\n') {
                end--;
            }
            LOG.warn("{}: dropping a partial last line left by an interrupted write", file);
            Json.writeAtomically(file, java.util.Arrays.copyOf(bytes, end + 1));
        } catch (IOException e) {
            throw new UnavailableException("cannot repair " + file + ": " + e.getMessage(), e);
        }
    }

    private static void append(Path file, List<String> lines) {
        try (BufferedWriter w = org.gaplab.core.OutputGuard.appendWriter(file)) {
            for (String l : lines) {
                w.write(l);
                w.newLine();
            }
        } catch (IOException e) {
            throw new UnavailableException("cannot append to " + file + ": " + org.gaplab.core.IoReasons.of(e), e);
        }
    }

    /**
     * Merges complete shard directories into one table written to {@code out}; fails naming any
     * missing or incomplete shard.
     *
     * @param shardDirs the shard directories
     * @param out where the merged table goes
     * @return the merged table
     */
    public static SweepTable merge(List<Path> given, Path out) {
        return merge(given, out, false);
    }

    /**
     * As {@link #merge(List, Path)}; the merged table is built in a staging directory beside
     * {@code out} and renamed into place, so a killed merge leaves nothing that blocks its rerun.
     * {@code out} may be absent, empty, or an earlier merge of the same sweep; anything else is
     * refused unless {@code force}.
     *
     * @param given the shard directories
     * @param out where the merged table goes
     * @param force write into an {@code out} holding other files (files of the names a merge writes are replaced)
     * @return the merged table
     */
    public static SweepTable merge(List<Path> given, Path out, boolean force) {
        List<Path> shardDirs = ShardMerge.shardDirs(given, out, "sweep.json");
        String hash = null;
        int count = -1;
        ShardMerge.Shards shards = new ShardMerge.Shards();
        List<SweepRow> rows = new ArrayList<>();
        JsonNode firstMeta = null;
        for (Path dir : shardDirs) {
            Path meta = dir.resolve("sweep.json");
            JsonNode m;
            try {
                m = Json.MAPPER.readTree(meta.toFile());
            } catch (IOException e) {
                throw new ConfigException(dir + " is not a sweep output directory (no readable sweep.json)");
            }
            if (m.has("merged_from") || !m.has("shard_points")) {
                throw new ConfigException(dir + " is a merged sweep, not a shard; merge the shard directories themselves");
            }
            Shard s = Shard.parse(m.path("shard").asText());
            if (hash == null) {
                hash = m.path("spec_hash").asText();
                count = s.count();
                firstMeta = m;
            } else if (!hash.equals(m.path("spec_hash").asText()) || count != s.count()) {
                throw new ConfigException(dir + " belongs to another sweep or shard count (" + m.path("spec_hash").asText()
                        + ", " + s.count() + " shards) than " + shardDirs.get(0) + " (" + hash + ", " + count + " shards)");
            }
            shards.add(s.index(), s.toString(), dir);
            Set<Integer> expected = new HashSet<>();
            m.path("shard_points").forEach(n -> expected.add(n.asInt()));
            SweepTable t = SweepTable.readJsonl(dir.resolve("runs.jsonl"));
            Set<Integer> have = new HashSet<>();
            t.rows().forEach(r -> have.add(r.index()));
            if (!have.equals(expected)) {
                throw new ConfigException("shard " + s + " in " + dir + " is incomplete: " + have.size() + " of "
                        + expected.size() + " rows; re-run it before merging");
            }
            rows.addAll(t.rows());
        }
        shards.requireAll(count);
        ShardMerge.requireOutsideInputs(out, given, shardDirs);
        boolean foreign = requireMergeTarget(out, hash, force);
        SweepTable table = new SweepTable(rows);
        try (StagedDirectory staged = StagedDirectory.open(out, "gaplab merge")) {
            writeMerged(table, staged.path(), firstMeta, hash, shardDirs);
            staged.install(foreign);
        }
        return table;
    }

    /**
     * A merge may replace an absent or empty {@code out} or an earlier merge of the same sweep;
     * anything else is refused, before anything is written, unless {@code force}.
     *
     * @return whether {@code out} holds other files that the merge must write among (--force)
     */
    private static boolean requireMergeTarget(Path out, String hash, boolean force) {
        OutputDirectory.requireNotSystem(out);
        if (!Files.exists(out)) {
            return false;
        }
        OutputDirectory.requireWritable(out, OutputDirectory.Kind.SWEEP, force);
        Path meta = out.resolve("sweep.json");
        if (!Files.isRegularFile(meta)) {
            return force && !isEmpty(out);
        }
        JsonNode old;
        try {
            old = Json.MAPPER.readTree(meta.toFile());
        } catch (IOException e) {
            old = null;
        }
        if (old == null || !old.has("merged_from") || !hash.equals(old.path("spec_hash").asText())) {
            if (force) {
                return true;
            }
            throw new ConfigException("--out " + out + " holds " + (old != null && !old.has("merged_from") ? "a sweep shard"
                    : "the merge of another sweep") + ", not an earlier merge of this one (" + hash + "); choose another --out,"
                    + " or pass --force to write into it");
        }
        return false;
    }

    private static boolean isEmpty(Path dir) {
        try (var s = Files.list(dir)) {
            return s.allMatch(p -> p.getFileName().toString().equals(DirectoryLock.FILE_NAME));
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeMerged(SweepTable table, Path out, JsonNode firstMeta, String hash, List<Path> shardDirs) {
        table.write(out);
        List<String> keys = new ArrayList<>();
        firstMeta.path("grid_keys").forEach(n -> keys.add(n.asText()));
        table.writeFigures(out, keys);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", 1);
        m.put("name", firstMeta.path("name").asText());
        m.put("spec_hash", hash);
        m.put("spec", firstMeta.path("spec"));
        m.put("points", table.rows().size());
        m.put("merged_from", shardDirs.stream().map(Path::toString).toList());
        Json.write(out.resolve("sweep.json"), m);
    }
}
