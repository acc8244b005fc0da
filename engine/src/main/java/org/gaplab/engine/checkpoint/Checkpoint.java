package org.gaplab.engine.checkpoint;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A gaplab checkpoint file: a zip archive with
 * <ul>
 *   <li>{@code meta.json}: {@code format}, {@code format_version}, loop counters, run count;</li>
 *   <li>{@code configs.json}: the resolved config of every stacked run;</li>
 *   <li>{@code params.ndlist}, {@code optim.ndlist}, {@code accum.ndlist}: named arrays in DJL's
 *       NDList encoding (parameters {@code [K, ...]}, optimiser moments, interval sums).</li>
 * </ul>
 *
 * @param configs the stacked runs' configs
 * @param counters loop counters
 * @param params parameters, named as in the model
 * @param optimizerState optimiser moments
 * @param accumulators interval sums
 */
public record Checkpoint(List<RunConfig> configs, Counters counters, NDList params, NDList optimizerState,
        NDList accumulators) {

    /** Value of {@code meta.json}'s {@code format}. */
    public static final String FORMAT = "gaplab-checkpoint";
    /** Current format version; readers accept this and older versions they know. */
    public static final int FORMAT_VERSION = 1;
    /** Conventional file name inside a run directory. */
    public static final String FILE_NAME = "checkpoint.ckpt";

    /**
     * Writes the trainer's full state atomically: a reader sees the previous file or the new one,
     * never a partial one.
     *
     * @param trainer the trainer (its arrays are read, not changed)
     * @param file destination
     */
    public static void write(CheckpointSource trainer, Path file) {
        Counters c = trainer.counters();
        ObjectNode meta = Json.MAPPER.createObjectNode();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        meta.put("step", c.step());
        meta.put("optimizer_updates", c.optimizerUpdates());
        meta.put("interval_steps", c.intervalSteps());
        meta.put("last_lr_factor", c.lastLrFactor());
        meta.put("block_steps", c.blockSteps());
        meta.put("runs", trainer.runs().size());
        meta.put("device", trainer.device().toString());
        ArrayNode configs = Json.MAPPER.createArrayNode();
        trainer.runs().forEach(r -> configs.add(ConfigLoader.toTree(r)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "meta.json", Json.pretty(meta).getBytes(StandardCharsets.UTF_8));
            entry(zip, "configs.json", Json.pretty(configs).getBytes(StandardCharsets.UTF_8));
            entry(zip, "params.ndlist", trainer.parameterList().encode());
            entry(zip, "optim.ndlist", trainer.optimizerState().encode());
            entry(zip, "accum.ndlist", trainer.accumulators().encode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.writeAtomically(file, bytes.toByteArray());
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Reads a checkpoint; arrays are created on {@code manager}.
     *
     * @param file the checkpoint
     * @param manager owner (and device) of the arrays
     * @return the checkpoint
     * @throws CheckpointException naming the file and the problem
     */
    public static Checkpoint read(Path file, NDManager manager) {
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint " + file + " does not exist");
        } catch (IOException e) {
            throw new CheckpointException("checkpoint " + file + " cannot be read: " + e.getMessage());
        }
        for (String need : List.of("meta.json", "configs.json", "params.ndlist", "optim.ndlist", "accum.ndlist")) {
            if (!entries.containsKey(need)) {
                throw new CheckpointException("checkpoint " + file + " is truncated, damaged or not a gaplab checkpoint (no " + need + ")");
            }
        }
        try {
            JsonNode meta = Json.MAPPER.readTree(entries.get("meta.json"));
            if (!FORMAT.equals(meta.path("format").asText())) {
                throw new CheckpointException("checkpoint " + file + " has format '" + meta.path("format").asText() + "'");
            }
            int version = meta.path("format_version").asInt(-1);
            if (version < 1 || version > FORMAT_VERSION) {
                throw new CheckpointException("checkpoint " + file + " has format version " + version
                        + "; this gaplab reads versions 1.." + FORMAT_VERSION);
            }
            List<RunConfig> configs = new ArrayList<>();
            for (JsonNode c : Json.MAPPER.readTree(entries.get("configs.json"))) {
                configs.add(bindConfig((ObjectNode) c));
            }
            Counters counters = new Counters(meta.path("step").asLong(),
                    meta.path("optimizer_updates").asLong(), meta.path("interval_steps").asLong(),
                    meta.path("last_lr_factor").asDouble(), meta.path("block_steps").asInt());
            return new Checkpoint(configs, counters, NDList.decode(manager, entries.get("params.ndlist")),
                    NDList.decode(manager, entries.get("optim.ndlist")), NDList.decode(manager, entries.get("accum.ndlist")));
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException("checkpoint " + file + " is corrupt: " + e.getMessage());
        }
    }

    private static RunConfig bindConfig(ObjectNode tree) {
        return ConfigLoader.fromStored(tree);
    }

    /** A checkpoint that cannot be read or used; one line naming the file. Bad input (exit 2). */
    public static final class CheckpointException extends UserException {
        private static final long serialVersionUID = 1L;

        /** @param message one line */
        public CheckpointException(String message) {
            super(message);
        }
    }
}
