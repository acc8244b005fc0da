package org.gaplab.engine.train;

import org.gaplab.engine.config.RunConfig;

import java.nio.file.Path;

/**
 * The outcome of a {@link TrainingRun}. Close it to free the trained model's native memory.
 *
 * @param config the resolved config
 * @param runDir the run directory
 * @param status how the run ended
 * @param steps steps completed
 * @param seconds wall time of the training loop (this process only)
 * @param finalLoss mean training loss of the last log interval ({@link TrainingRun#logInterval} steps; a sweep row's
 *     final_loss is the same window)
 * @param eval evaluation statistics (null unless completed)
 * @param model the trained encoders (null unless completed)
 * @param reason why the run stopped early (divergence or collapse), else null
 */
public record RunResult(RunConfig config, Path runDir, RunStatus status, long steps, double seconds, double finalLoss,
        EvalSummary eval, TrainedModel model, String reason) implements AutoCloseable {

    /** @return optimisation steps per second of this process */
    public double stepsPerSecond() {
        return seconds > 0 ? steps / seconds : 0;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
