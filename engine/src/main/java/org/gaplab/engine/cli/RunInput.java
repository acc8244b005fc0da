package org.gaplab.engine.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.checkpoint.RunArtifacts;
import org.gaplab.engine.measure.GapMeasurer;

import java.nio.file.Path;

/**
 * A trained run as the input of {@code measure} and {@code embed}: its checkpoint, its source's
 * evaluation set (the run's own "eval" seed stream, as training used it) and one run's embeddings.
 */
final class RunInput {
    private RunInput() {}

    /**
     * @param runDir the run directory (or checkpoint file)
     * @param runIndex which of the stacked runs
     * @param n evaluation pairs, or null for the run's eval.size
     * @param manager owner and device of the result
     * @return {@code [z1, z2]} and the run's temperature
     */
    static Embedded embed(Path runDir, int runIndex, Integer n, NDManager manager) {
        return embed(runDir, runIndex, n, manager, null);
    }

    /**
     * As {@link #embed(Path, int, Integer, NDManager)}, refusing an n whose measurement would not fit
     * the memory budget before anything is allocated.
     *
     * @param memoryBudget bytes, or null for the default budget
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
        RunArtifacts.LoadedRun run;
        try {
            run = RunArtifacts.load(runDir, manager);
        } catch (Checkpoint.CheckpointException e) {
            throw new UserException(e.getMessage());
        }
        if (runIndex < 0 || runIndex >= run.model().runs()) {
            throw new UserException("--run-index " + runIndex + " is out of range: " + runDir + " holds " + run.model().runs() + " run(s)");
        }
        int size = n != null ? n : run.config().eval().size();
        if (size < 2) {
            throw new UserException("--n must be >= 2, got " + size);
        }
        String nKey = n != null ? "--n" : "--n (default: the run's eval.size)";
        MemoryAdmission.admit(exportOnly ? MemoryAdmission.embedding(run.config(), size, nKey)
                : MemoryAdmission.measurement(run.config(), size, nKey), MemoryAdmission.budget(manager.getDevice(), memoryBudget));
        PairedSource data = run.config().data().build();
        long evalSeed = Seeds.derive(run.config().seed(), "eval", 0);
        NDList z = GapMeasurer.embed(run.model(), runIndex, data, evalSeed, size, manager);
        return new Embedded(z, GapMeasurer.tau(run.model(), runIndex), run.step());
    }

    /**
     * @param z {@code [z1, z2]}
     * @param tau the run's temperature (its learned value when learnable)
     * @param step steps trained
     */
    record Embedded(NDList z, double tau, long step) {}
}
