package org.gaplab.engine.checkpoint;

import ai.djl.ndarray.NDManager;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

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
    public record LoadedRun(RunConfig config, DualEncoder model, long step) {}

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
        return new LoadedRun(config, model, ckpt.counters().step());
    }
}
