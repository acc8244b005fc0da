package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-run sums of a step source's metrics over a log interval, kept on the device: the loss (or
 * objective), the gradient norm and, when the loss reports them, its named parts (e.g.
 * {@code contrastive}, {@code penalty}). A step adds its {@code [K]} arrays in place
 * ({@link #add}); the interval's means reach the host only in {@link #drain}, the loop's one
 * deliberate sync, which also resets the sums.
 */
public final class MetricAccumulator {
    /** Checkpoint name prefix of the sums. */
    static final String PREFIX = "acc/";

    private final NDManager manager;
    private final int runs;
    private final DataType dataType;
    private final NDArray lossSum;
    private final NDArray gradNormSum;
    private final Map<String, NDArray> partSums = new LinkedHashMap<>();
    /** Steps in each part's sum: fewer than {@link #steps} after resuming from a checkpoint written without the part. */
    private final Map<String, Long> partSteps = new LinkedHashMap<>();
    private long steps;

    /**
     * @param manager where the sums live (outliving every step scope)
     * @param runs K
     * @param dataType of the sums (the training precision)
     */
    public MetricAccumulator(NDManager manager, int runs, DataType dataType) {
        this.manager = manager;
        this.runs = runs;
        this.dataType = dataType;
        this.lossSum = manager.zeros(new Shape(runs), dataType);
        this.gradNormSum = manager.zeros(new Shape(runs), dataType);
    }

    /**
     * Adds one step's values, on the device, and counts the step.
     *
     * @param loss per-run loss or objective {@code [K]}
     * @param gradNorm per-run gradient norm {@code [K]}
     */
    public void add(NDArray loss, NDArray gradNorm) {
        lossSum.addi(loss);
        gradNormSum.addi(gradNorm);
        steps++;
    }

    /**
     * As {@link #add(NDArray, NDArray)} with the loss's named parts; the first step that reports
     * a part allocates its sum.
     *
     * @param parts per-run value of each named part {@code [K]}
     */
    public void add(NDArray loss, NDArray gradNorm, Map<String, NDArray> parts) {
        parts.forEach((name, value) -> {
            partSum(name).addi(value);
            partSteps.merge(name, 1L, Long::sum);
        });
        add(loss, gradNorm);
    }

    private NDArray partSum(String name) {
        NDArray sum = partSums.get(name);
        if (sum == null) {
            sum = manager.zeros(new Shape(runs), dataType);
            partSums.put(name, sum);
        }
        return sum;
    }

    /** Attaches the sums to a step's scope for the step (see {@code NDManager#tempAttachAll}). */
    public void tempAttach(NDManager scope) {
        scope.tempAttachAll(lossSum, gradNormSum);
        partSums.values().forEach(scope::tempAttachAll);
    }

    /** @return the loss sum since the last drain, {@code [K]} (on the device) */
    public NDArray lossSum() {
        return lossSum;
    }

    /** @return the gradient-norm sum since the last drain, {@code [K]} (on the device) */
    public NDArray gradNormSum() {
        return gradNormSum;
    }

    /** @return steps added since the last drain */
    public long steps() {
        return steps;
    }

    /**
     * Copies the interval's means to the host (one sync) and resets the sums.
     *
     * @param step steps completed
     * @param lrFactor schedule multiplier at the last step
     * @param logitScale the current 1/tau per run (already on the host)
     * @return the interval's metrics
     */
    public IntervalMetrics drain(long step, double lrFactor, double[] logitScale) {
        long n = Math.max(1, steps);
        double[] loss = toDoubles(lossSum, n);
        double[] grad = toDoubles(gradNormSum, n);
        Map<String, double[]> parts = new LinkedHashMap<>();
        partSums.forEach((name, sum) -> parts.put(name, toDoubles(sum, Math.max(1, partSteps.getOrDefault(name, 0L)))));
        IntervalMetrics m = new IntervalMetrics(step, steps, lrFactor, loss, grad, logitScale, parts);
        zero(lossSum);
        zero(gradNormSum);
        partSums.values().forEach(MetricAccumulator::zero);
        partSums.keySet().forEach(name -> partSteps.put(name, 0L));
        steps = 0;
        return m;
    }

    /**
     * @param scope where the result lives
     * @return whether any loss sum is NaN or infinite, a scalar boolean on the device
     */
    public NDArray lossNonFinite(NDManager scope) {
        scope.tempAttachAll(lossSum, gradNormSum);
        return lossSum.isNaN().logicalOr(lossSum.isInfinite()).any();
    }

    /** @return the sums, named for a checkpoint ({@code acc/loss}, {@code acc/grad_norm}, {@code acc/<part>}) */
    public NDList arrays() {
        lossSum.setName(PREFIX + "loss");
        gradNormSum.setName(PREFIX + "grad_norm");
        NDList out = new NDList(lossSum, gradNormSum);
        partSums.forEach((name, sum) -> {
            sum.setName(PREFIX + "part/" + name);
            out.add(sum);
        });
        return out;
    }

    /**
     * Restores sums written by {@link #arrays()} and the interval's step count. A part the
     * checkpoint lacks (one written before the loss reported parts) starts its sum at the resume,
     * so its first mean covers only the steps since then.
     *
     * @param arrays the named sums
     * @param intervalSteps steps added since the last drain
     */
    public void restore(NDList arrays, long intervalSteps) {
        for (NDArray a : arrays) {
            String name = a.getName();
            NDArray dst = (PREFIX + "loss").equals(name) ? lossSum : (PREFIX + "grad_norm").equals(name) ? gradNormSum
                    : name != null && name.startsWith(PREFIX + "part/") ? partSum(name.substring((PREFIX + "part/").length())) : null;
            if (dst == null) {
                throw new IllegalArgumentException("unknown accumulator " + name + " in checkpoint");
            }
            dst.set(a.toType(dataType, false).toByteBuffer());
            if (name.startsWith(PREFIX + "part/")) {
                partSteps.put(name.substring((PREFIX + "part/").length()), intervalSteps);
            }
        }
        this.steps = intervalSteps;
    }

    /** Overwrites with zeros from the host (subtracting itself would keep a NaN). */
    private static void zero(NDArray a) {
        int n = (int) a.size();
        if (a.getDataType() == DataType.FLOAT64) {
            a.set(new double[n]);
        } else {
            a.set(new float[n]);
        }
    }

    private static double[] toDoubles(NDArray a, long divisor) {
        // Host sync point.
        double[] out;
        if (a.getDataType() == DataType.FLOAT64) {
            out = a.toDoubleArray();
        } else {
            float[] f = a.toFloatArray();
            out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= divisor;
        }
        return out;
    }

    /**
     * @param a a {@code [K]} array
     * @return its values on the host (one sync)
     */
    public static double[] toHost(NDArray a) {
        return toDoubles(a, 1);
    }
}
