/**
 * One training step of K stacked runs, below the loop that drives it ({@code train}).
 *
 * <p>{@link org.gaplab.engine.step.StepSource} is what the loop steps: each step runs in its own
 * NDManager scope, returns device-side {@link org.gaplab.engine.step.StepResult}s and adds to
 * on-device sums ({@link org.gaplab.engine.step.MetricAccumulator}: loss, gradient norm and the
 * loss's named parts) that reach the host only at log intervals
 * ({@link org.gaplab.engine.step.IntervalMetrics}).
 *
 * <p>The gradient: {@link org.gaplab.engine.step.GradientPlanner} chooses a
 * {@link org.gaplab.engine.step.GradientPlan} once per trainer, and
 * {@link org.gaplab.engine.step.GradientStep#create} picks the step it names: the embedding split
 * (the loss's closed-form {@code dL/dz}, then each tower's own
 * {@link org.gaplab.engine.step.TowerBackward}, one class per tower route, the towers side by side
 * on a CPU with threads to share) or autograd through the whole graph. The caller does not know
 * which ran. {@link org.gaplab.engine.step.Autograd} is the one entry into libtorch's autograd.
 *
 * <p>The data: {@link org.gaplab.engine.step.BlockCache} keeps the current block of S steps of
 * every run's pairs ({@link org.gaplab.engine.step.DataBlocks}, from each run's own seed,
 * {@link org.gaplab.engine.step.StackedRuns}); how steps are blocked is defined once in
 * {@code admission.StepBlocks}, which the memory estimate also follows.
 */
package org.gaplab.engine.step;
