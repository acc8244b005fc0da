/**
 * The training loop. {@link org.gaplab.engine.train.TrainingLoop} is the one loop: it drives a
 * step source from its current step to the end, drains metrics at log intervals (its only host
 * sync) and leaves everything else to {@link org.gaplab.engine.train.TrainingListener}s
 * (divergence checks, metrics lines, progress, checkpoints, periodic measurement, outputs).
 * {@link org.gaplab.engine.train.Trainer} is the step source of K run-stacked dual encoders: it
 * wires the parts of a step ({@code org.gaplab.engine.step}: the gradient plan and step, the data
 * blocks, the metric sums) and holds the state a checkpoint saves.
 * {@link org.gaplab.engine.train.TrainingRun}
 * drives one run end to end with a run directory, choosing its listeners.
 */
package org.gaplab.engine.train;
