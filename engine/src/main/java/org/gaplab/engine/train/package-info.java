/**
 * The training loop. {@link org.gaplab.engine.train.TrainingLoop} is the one loop: it drives a
 * step source from its current step to the end, drains metrics at log intervals (its only host
 * sync) and leaves everything else to {@link org.gaplab.engine.train.TrainingListener}s
 * (divergence checks, metrics lines, progress, checkpoints, periodic measurement, outputs).
 * {@link org.gaplab.engine.train.Trainer} is the step source of K run-stacked dual encoders: it
 * wires the parts of a step ({@code org.gaplab.engine.step}: the gradient plan and step, the data
 * blocks, the metric sums) and holds the state a checkpoint saves.
 * {@link org.gaplab.engine.train.TrainingRun}
 * drives one run end to end with a run directory.
 *
 * <p>The listeners are small public classes: {@link org.gaplab.engine.train.DivergenceCheck},
 * {@link org.gaplab.engine.train.MetricsListener} ("train" lines), {@link org.gaplab.engine.train.ProgressListener},
 * {@link org.gaplab.engine.train.CheckpointListener}, {@link org.gaplab.engine.train.PeriodicMeasure},
 * {@link org.gaplab.engine.train.RunOutputs} (evaluation, loss figure, {@code summary.json}) and
 * {@link org.gaplab.engine.train.StopSignal}. {@link org.gaplab.engine.train.TrainingListeners} puts them in
 * the one order every entry point uses: {@code defaults} for a run (train, the Java API),
 * {@code stacked} for a chunk of sweep runs, {@code builder} for any other loop.
 */
package org.gaplab.engine.train;
