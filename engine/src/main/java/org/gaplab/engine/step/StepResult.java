package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;

/**
 * What one step produced. The arrays live on the device and stay valid until the next step;
 * reading them ({@code toFloatArray}) is a host sync, so the loop only does that at log intervals.
 *
 * @param step the 1-based index of the step just taken
 * @param lr learning-rate multiplier applied (schedule factor)
 * @param loss per-run sum of the loss over the steps since the last metrics drain, {@code [K]}
 * @param gradNorm per-run sum of the global gradient norm (before clipping) over the same steps, {@code [K]}
 */
public record StepResult(long step, double lr, NDArray loss, NDArray gradNorm) {}
