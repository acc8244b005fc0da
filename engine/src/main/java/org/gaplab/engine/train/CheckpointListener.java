package org.gaplab.engine.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.engine.checkpoint.Checkpoint;

import java.nio.file.Path;

/**
 * Writes the checkpoint of the loop's {@link Trainer}. Two policies:
 *
 * <ul>
 *   <li>{@link #forRun}: every {@code every} steps and once more when the steps are done or a stop
 *       was requested. A state that is not finite is never written and ends the run as diverged,
 *       so the last checkpoint on disk is always a good one. Other listeners hear of each write
 *       ({@link TrainingListener#onCheckpoint}).</li>
 *   <li>{@link #atCompletion}: one checkpoint when the steps are done (a sweep chunk's stacked
 *       state, kept so that {@code measure --run-index} finds every run). It is written even when
 *       some stacked runs diverged (each run's fate is in its row), and not at all for a chunk
 *       abandoned by a stop, which is recomputed.</li>
 * </ul>
 */
public final class CheckpointListener implements TrainingListener {
    private static final Logger LOG = LogManager.getLogger(TrainingRun.class);
    /** The divergence reason of a state that could not be checkpointed. */
    static final String NON_FINITE = "parameters or loss became NaN/infinite";

    private final Path file;
    private final int every;
    private final boolean forRun;

    private CheckpointListener(Path file, int every, boolean forRun) {
        this.file = file;
        this.every = every;
        this.forRun = forRun;
    }

    /**
     * @param file the checkpoint file (replaced atomically at each write)
     * @param every steps between checkpoints ({@code schedule.checkpoint_every}); 0 for only the final one
     * @return the listener of a run
     */
    public static CheckpointListener forRun(Path file, int every) {
        return new CheckpointListener(file, every, true);
    }

    /**
     * @param file the checkpoint file
     * @return the listener that writes one checkpoint when a loop completes
     */
    public static CheckpointListener atCompletion(Path file) {
        return new CheckpointListener(file, 0, false);
    }

    @Override
    public void onStep(TrainingLoop loop) {
        if (every > 0 && loop.source().stepsDone() % every == 0 && !loop.atEnd()) {
            write(loop);
        }
    }

    @Override
    public void beforeEnd(TrainingLoop loop) {
        if (forRun) {
            write(loop);
        } else if (loop.outcome().status() == RunStatus.COMPLETED) {
            Checkpoint.write(loop.trainer(), file);
        }
    }

    private void write(TrainingLoop loop) {
        Trainer trainer = loop.trainer();
        if (!trainer.allFinite()) {
            loop.diverged(NON_FINITE, null);
            return;
        }
        Checkpoint.write(trainer, file);
        LOG.debug("checkpoint at step {}", trainer.stepsDone());
        loop.checkpointWritten(file);
    }
}
