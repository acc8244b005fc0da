package org.gaplab.engine.step;

/**
 * What the training loop ({@code train.TrainingLoop}) drives: K stacked runs advanced one step at
 * a time. {@code train.Trainer} is the step source of the dual encoders; the unimodal Gibbs
 * particles are another.
 */
public interface StepSource {
    /** @return steps completed */
    long stepsDone();

    /**
     * Takes one step for every run, inside its own NDManager scope and without a host sync.
     *
     * @return the step's device-side results (valid until the next step)
     */
    StepResult step();

    /**
     * Copies the metrics of the steps since the last drain to the host and resets them.
     *
     * @return the interval's metrics, one entry per run
     */
    IntervalMetrics drainMetrics();
}
