package org.gaplab.engine.step;

/**
 * Host-side metrics of the steps since the last drain, one entry per run. Produced by
 * {@link StepSource#drainMetrics()} (one host sync).
 *
 * @param step steps completed
 * @param steps number of steps averaged
 * @param lrFactor schedule multiplier at the last step
 * @param loss mean loss per run over the interval
 * @param gradNorm mean gradient norm per run over the interval
 * @param logitScale current 1/tau per run
 * @param lossParts mean of each named part of the loss per run (e.g. {@code contrastive},
 *     {@code penalty}); empty when the loss reports no parts
 */
public record IntervalMetrics(long step, long steps, double lrFactor, double[] loss, double[] gradNorm,
        double[] logitScale, java.util.Map<String, double[]> lossParts) {

    /** Copies the parts' map. */
    public IntervalMetrics {
        lossParts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(lossParts));
    }

    /** Metrics of a loss without named parts. */
    public IntervalMetrics(long step, long steps, double lrFactor, double[] loss, double[] gradNorm, double[] logitScale) {
        this(step, steps, lrFactor, loss, gradNorm, logitScale, java.util.Map.of());
    }

    /** @return indices of runs whose loss or gradient norm is NaN or infinite */
    public int[] nonFiniteRuns() {
        return java.util.stream.IntStream.range(0, loss.length)
                .filter(k -> !Double.isFinite(loss[k]) || !Double.isFinite(gradNorm[k]) || !Double.isFinite(logitScale[k]))
                .toArray();
    }
}
