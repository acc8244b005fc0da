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

    /**
     * The run's held-out evaluation pairs, embedded with both trained towers: the set the run's
     * {@link #eval()} and {@code gaplab measure --run} use (for file and digits data the rows of the
     * evaluation split, never a training row; see {@link #evaluationRows()}).
     *
     * @param n pairs to embed (at most the split's size for file data), e.g. {@code config().eval().size()}
     * @param manager owner of the result
     * @return {@code [z1, z2]}, each {@code [n, d]}
     * @throws IllegalStateException when the run did not complete (no model)
     */
    public ai.djl.ndarray.NDList evaluationEmbeddings(int n, ai.djl.ndarray.NDManager manager) {
        return RunGap.embed(requireModel().encoder(), 0, config, n, manager);
    }

    /**
     * Which rows of your files form the held-out split, in the order of the evaluation set.
     *
     * @return {@code [x rows, y rows]} for file and digits data, or null for synthetic data (fresh draws)
     */
    public int[][] evaluationRows() {
        if (config.data().build() instanceof org.gaplab.datasets.paired.FinitePairedSource f) {
            return new int[][] {f.evalXRows(), f.evalYRows()};
        }
        return null;
    }

    /**
     * Measures the gap as {@code gaplab measure --run DIR} does: the run's held-out evaluation set
     * ({@code eval.size} pairs), at the run's own (learned) temperature unless the options give one.
     *
     * @param options how to measure, e.g. {@code MeasureOptions.defaults().withSubsamples(10)}
     * @return the report ({@code Json.write(file, report)} writes what {@code measure --out} writes)
     */
    public org.gaplab.engine.measure.GapReport measure(org.gaplab.engine.measure.MeasureOptions options) {
        TrainedModel m = requireModel();
        try (ai.djl.ndarray.NDManager scope = m.manager().newSubManager()) {
            ai.djl.ndarray.NDList z = RunGap.embed(m.encoder(), 0, config, config.eval().size(), scope);
            return RunGap.measure(z, org.gaplab.engine.measure.GapMeasurer.tau(m.encoder(), 0), options, "option",
                    String.valueOf(runDir), steps);
        }
    }

    private TrainedModel requireModel() {
        if (model == null) {
            throw new IllegalStateException("the run " + status + " without a trained model (optKeepModel(false), or it did not complete)");
        }
        return model;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
