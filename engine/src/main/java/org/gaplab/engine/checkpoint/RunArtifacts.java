package org.gaplab.engine.checkpoint;

import ai.djl.ndarray.NDManager;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads what a run directory (or a bare checkpoint file) holds, for embedding and measuring. */
public final class RunArtifacts {
    private RunArtifacts() {}

    /**
     * A trained model with its config.
     *
     * @param config the resolved config of the run (run 0 of the checkpoint)
     * @param model the dual encoder (K = number of stacked runs in the checkpoint, usually 1)
     * @param step steps trained
     */
    public record LoadedRun(RunConfig config, DualEncoder model, long step, java.util.List<RunConfig> configs) {
        /** A checkpoint of one run. */
        public LoadedRun(RunConfig config, DualEncoder model, long step) {
            this(config, model, step, java.util.List.of(config));
        }

        /**
         * @param run a run of the checkpoint
         * @return that run's own config (its seed, data settings, tau and lr)
         */
        public RunConfig config(int run) {
            return configs.get(run);
        }
    }

    /** Where a sweep keeps the stacked checkpoint of each chunk, relative to the sweep directory. */
    public static final String SWEEP_CHECKPOINTS = "checkpoints";

    /**
     * A checkpoint file and a run inside it.
     *
     * @param file the checkpoint file
     * @param run the run's position in the file's stack
     */
    public record Located(Path file, int run) {}

    /**
     * Finds the checkpoint behind a run: a run directory or checkpoint file holds it directly (the
     * index is the stack position); a sweep directory ({@code sweep.json}) keeps one stacked
     * checkpoint per chunk under {@value #SWEEP_CHECKPOINTS}/, and the index is the sweep's point
     * index (the {@code index} column of runs.csv). A merged sweep looks in the shards it came from.
     *
     * @param dirOrFile a run directory, a checkpoint file or a sweep directory
     * @param index the run of a stacked checkpoint, or the point of a sweep
     * @return the file and the run's position in it
     * @throws Checkpoint.CheckpointException naming what is missing
     */
    public static Located locate(Path dirOrFile, int index) {
        Path sweepMeta = dirOrFile.resolve("sweep.json");
        if (!Files.isDirectory(dirOrFile) || Files.exists(dirOrFile.resolve(Checkpoint.FILE_NAME)) || !Files.exists(sweepMeta)) {
            return new Located(dirOrFile, index);
        }
        com.fasterxml.jackson.databind.JsonNode meta;
        try {
            meta = org.gaplab.core.Json.MAPPER.readTree(sweepMeta.toFile());
        } catch (java.io.IOException e) {
            throw new Checkpoint.CheckpointException("cannot read " + sweepMeta + ": " + e.getMessage());
        }
        if (meta.has("merged_from")) {
            for (com.fasterxml.jackson.databind.JsonNode shard : meta.get("merged_from")) {
                Path d = Path.of(shard.asText());
                if (Files.exists(d.resolve("sweep.json"))) {
                    Located l = locateInShard(d, index, false);
                    if (l != null) {
                        return l;
                    }
                }
            }
            throw new Checkpoint.CheckpointException("no shard that " + dirOrFile + " was merged from keeps a checkpoint of point "
                    + index + " (sweeps keep them under " + SWEEP_CHECKPOINTS + "/ unless run with --no-checkpoints)");
        }
        return locateInShard(dirOrFile, index, true);
    }

    private static Located locateInShard(Path dir, int index, boolean required) {
        com.fasterxml.jackson.databind.JsonNode meta;
        try {
            meta = org.gaplab.core.Json.MAPPER.readTree(dir.resolve("sweep.json").toFile());
        } catch (java.io.IOException e) {
            throw new Checkpoint.CheckpointException("cannot read " + dir.resolve("sweep.json") + ": " + e.getMessage());
        }
        var chunks = meta.path("chunks");
        int total = meta.path("points").asInt(-1);
        for (int c = 0; c < chunks.size(); c++) {
            var chunk = chunks.get(c);
            for (int i = 0; i < chunk.size(); i++) {
                if (chunk.get(i).asInt() == index) {
                    Path file = dir.resolve(SWEEP_CHECKPOINTS).resolve(chunkFileName(c));
                    if (Files.exists(file)) {
                        return new Located(file, i);
                    }
                    if (!required) {
                        return null;
                    }
                    throw new Checkpoint.CheckpointException("sweep " + dir + " kept no checkpoint of point " + index + " (chunk " + c
                            + ", " + SWEEP_CHECKPOINTS + "/" + chunkFileName(c) + "): the chunk is not trained in this shard yet, or the"
                            + " sweep ran with --no-checkpoints");
                }
            }
        }
        if (!required) {
            return null;
        }
        throw new Checkpoint.CheckpointException("--run-index " + index + " is out of range: sweep " + dir + " has points 0 to "
                + (total - 1));
    }

    /**
     * @param chunk a sweep chunk's index
     * @return the file name of its stacked checkpoint
     */
    public static String chunkFileName(int chunk) {
        return "chunk-" + chunk + ".ckpt";
    }

    /**
     * @param runDirOrFile a run directory holding {@value Checkpoint#FILE_NAME}, or a checkpoint file
     * @param manager owner and device of the model's arrays
     * @return the run
     * @throws Checkpoint.CheckpointException naming the path when it holds no readable checkpoint
     */
    public static LoadedRun load(Path runDirOrFile, NDManager manager) {
        Path file = Files.isDirectory(runDirOrFile) ? runDirOrFile.resolve(Checkpoint.FILE_NAME) : runDirOrFile;
        if (!Files.exists(runDirOrFile)) {
            throw new Checkpoint.CheckpointException("run " + runDirOrFile + " does not exist");
        }
        if (Files.isDirectory(runDirOrFile) && !Files.exists(file)) {
            throw new Checkpoint.CheckpointException("run directory " + runDirOrFile + " has no " + Checkpoint.FILE_NAME
                    + " (was the run started with gaplab train and did it write a checkpoint?)");
        }
        Checkpoint ckpt = Checkpoint.read(file, manager);
        RunConfig config = ckpt.configs().get(0);
        Parameters params = new Parameters();
        DualEncoder template;
        int k = ckpt.configs().size();
        long[] zeros = new long[k];
        double[] tau = ckpt.configs().stream().mapToDouble(c -> c.model().temperature().tau()).toArray();
        try (NDManager scratch = manager.newSubManager()) {
            template = DualEncoder.initialize(config.model(), scratch, zeros, zeros, tau, config.precision().dataType());
            for (var spec : template.parameters().specs()) {
                var saved = ckpt.params().get(spec.name());
                if (saved == null) {
                    throw new Checkpoint.CheckpointException("checkpoint " + file + " lacks parameter " + spec.name());
                }
                params.put(spec, saved);
            }
        }
        ckpt.optimizerState().close();
        ckpt.accumulators().close();
        DualEncoder model = DualEncoder.fromParameters(config.model(), params, tau, manager);
        return new LoadedRun(config, model, ckpt.counters().step(), List.copyOf(ckpt.configs()));
    }
}
