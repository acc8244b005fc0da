package org.gaplab.engine.checkpoint;

/**
 * The training loop's counters that a checkpoint must hold besides arrays.
 *
 * @param step steps done
 * @param optimizerUpdates optimiser updates done (bias correction of Adam's moments)
 * @param intervalSteps steps accumulated since the last log line
 * @param lastLrFactor the learning-rate schedule's factor at the last step
 * @param blockSteps steps of data per generated block (a resumed run must replay the same blocks)
 */
public record Counters(long step, long optimizerUpdates, long intervalSteps, double lastLrFactor, int blockSteps) {}
