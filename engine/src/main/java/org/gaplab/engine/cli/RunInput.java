package org.gaplab.engine.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.gaplab.core.UserException;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.checkpoint.RunArtifacts;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.train.RunGap;

import java.nio.file.Path;

/**
 * A trained run as the input of {@code measure} and {@code embed}: its checkpoint, its source's
 * evaluation set (the run's own "eval" seed stream, as training used it) and one run's embeddings.
 */
final class RunInput {
    private RunInput() {}

    /**
     * The embeddings of one run's evaluation set, refusing an n whose measurement would not fit the
     * memory budget before anything is allocated.
     *
     * @param runDir the run directory (or checkpoint file, or sweep directory)
     * @param runIndex which of the stacked runs (or sweep points)
     * @param n evaluation pairs, or null for the run's eval.size
     * @param manager owner and device of the result
     * @param memoryBudget bytes, or null for the default budget
     * @return {@code [z1, z2]} and the run's temperature
     */
    static Embedded embed(Path runDir, int runIndex, Integer n, NDManager manager, Long memoryBudget) {
        return embed(runDir, runIndex, n, manager, memoryBudget, false);
    }

    /**
     * As {@link #embed(Path, int, Integer, NDManager, Long)}, admitted as an export ({@code gaplab embed}:
     * the embedding and its host copies) when {@code exportOnly}, else as a measurement.
     *
     * @param exportOnly whether the embeddings are only written out, not measured
     */
    static Embedded embed(Path runDir, int runIndex, Integer n, NDManager manager, Long memoryBudget, boolean exportOnly) {
        Loaded l = load(runDir, runIndex, manager);
        RunConfig config = l.config();
        int size = n != null ? n : config.eval().size();
        if (size < 2) {
            throw new UserException("--n must be >= 2, got " + size);
        }
        String nKey = n != null ? "--n" : "--n (default: the run's eval.size)";
        MemoryAdmission.admit(exportOnly ? MemoryAdmission.embedding(config, size, nKey) : MemoryAdmission.measurement(config, size, nKey),
                MemoryAdmission.budget(manager.getDevice(), memoryBudget));
        NDList z = RunGap.embed(l.run().model(), l.index(), config, size, manager);
        return new Embedded(z, GapMeasurer.tau(l.run().model(), l.index()), l.run().step(), config, l.swept());
    }

    /**
     * Loads the checkpoint behind a run: a run directory, a checkpoint file (index: the stack
     * position) or a sweep directory (index: the sweep's point, from its kept chunk checkpoint).
     *
     * @param runDir the directory or file
     * @param runIndex the run
     * @param manager owner of the model
     * @return the model, the run's position in it and its own config
     */
    static Loaded load(Path runDir, int runIndex, NDManager manager) {
        RunArtifacts.LoadedRun run;
        RunArtifacts.Located where;
        try {
            where = RunArtifacts.locate(runDir, runIndex);
            run = RunArtifacts.load(where.file(), manager);
        } catch (Checkpoint.CheckpointException e) {
            throw new UserException(e.getMessage());
        }
        if (where.run() < 0 || where.run() >= run.model().runs()) {
            throw new UserException("--run-index " + runIndex + " is out of range: " + runDir + " holds " + run.model().runs() + " run(s)");
        }
        return new Loaded(run, where.run(), !where.file().equals(runDir));
    }

    /**
     * @param run the loaded checkpoint
     * @param index the run's position in its stack
     * @param swept whether it came from a sweep directory's chunk checkpoint
     */
    record Loaded(RunArtifacts.LoadedRun run, int index, boolean swept) {
        /** @return the run's own config */
        RunConfig config() {
            return run.config(index);
        }
    }

    /**
     * @param z {@code [z1, z2]}
     * @param tau the run's temperature (its learned value when learnable)
     * @param step steps trained
     * @param config the run's own config
     * @param swept whether the run is a point of a sweep directory
     */
    record Embedded(NDList z, double tau, long step, RunConfig config, boolean swept) {
        /** @return how a report names the run */
        String label(Path dir, int index) {
            return swept ? dir + " point " + index : dir.toString();
        }
    }
}
