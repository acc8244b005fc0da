/**
 * One training step of K stacked runs, below the loop that drives it ({@code train}).
 * {@link org.gaplab.engine.step.StepSource} is what the loop steps: each step runs in its own
 * NDManager scope, returns device-side {@link org.gaplab.engine.step.StepResult}s and adds to
 * on-device sums that are drained to the host only at log intervals
 * ({@link org.gaplab.engine.step.IntervalMetrics}). {@link org.gaplab.engine.step.Autograd} is the
 * one entry into libtorch's autograd.
 */
package org.gaplab.engine.step;
