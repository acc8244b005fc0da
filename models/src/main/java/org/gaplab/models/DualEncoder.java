package org.gaplab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Two towers f, g with independent parameters and a temperature, stacked over K runs.
 *
 * <p>With a learnable temperature the parameter {@code logit_scale} (shape {@code [K]}) holds
 * {@code s = ln(1/tau)} and the logits are scaled by {@code exp(s)}; {@link #clampLogitScale()}
 * keeps {@code s <= ln(maxLogitScale)}. With a fixed temperature the per-run scales {@code 1/tau_k}
 * are a constant array. Runs may use different temperatures (a sweep over tau).
 */
public final class DualEncoder {
    /** Name of the learnable log logit scale parameter. */
    public static final String LOGIT_SCALE = "logit_scale";

    private final DualEncoderConfig config;
    private final Tower tower1;
    private final Tower tower2;
    private final Parameters params;
    private final NDArray fixedScale;
    private final int runs;

    private DualEncoder(DualEncoderConfig config, Parameters params, NDArray fixedScale, int runs) {
        this.config = config;
        this.tower1 = new Tower(config.tower1(), "tower1");
        this.tower2 = new Tower(config.tower2(), "tower2");
        this.params = params;
        this.fixedScale = fixedScale;
        this.runs = runs;
    }

    /**
     * Initialises K runs. Tower 1 of run k draws from {@code seeds1[k]}, tower 2 from
     * {@code seeds2[k]} (from {@code seeds1[k]} with {@link DualEncoderConfig#alignedStart}).
     *
     * @param config the architecture
     * @param manager owner of the parameters
     * @param seeds1 per-run init seeds of tower 1
     * @param seeds2 per-run init seeds of tower 2
     * @param tau per-run (initial) temperatures; the config's tau is used where this is null
     * @param dataType float32 or float64
     * @return the model
     */
    public static DualEncoder initialize(DualEncoderConfig config, NDManager manager, long[] seeds1, long[] seeds2,
            double[] tau, DataType dataType) {
        int k = seeds1.length;
        if (seeds2.length != k || (tau != null && tau.length != k)) {
            throw new IllegalArgumentException("per-run arrays must all have length K = " + k);
        }
        double[] taus = tau != null ? tau.clone() : filled(k, config.temperature().tau());
        Parameters params = new Parameters();
        new Tower(config.tower1(), "tower1").initialize(manager, seeds1, dataType, params);
        // an aligned start: tower 2 draws from tower 1's streams, so (same config) its parameters equal tower 1's
        new Tower(config.tower2(), "tower2").initialize(manager, config.alignedStart() ? seeds1 : seeds2, dataType, params);
        NDArray fixed = null;
        double[] logScale = new double[k];
        for (int i = 0; i < k; i++) {
            logScale[i] = Math.log(1 / taus[i]);
        }
        NDArray logScaleArray = manager.create(logScale).toType(dataType, false);
        if (config.temperature().learnable()) {
            params.put(new ParamSpec(LOGIT_SCALE, new Shape(), 0, false), logScaleArray);
        } else {
            fixed = logScaleArray.exp();
            fixed.attach(manager);
            logScaleArray.close();
        }
        return new DualEncoder(config, params, fixed, k);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** @return the architecture */
    public DualEncoderConfig config() {
        return config;
    }

    /** @return the run-stacked parameters (trainable ones only; a fixed temperature is not one) */
    public Parameters parameters() {
        return params;
    }

    /** @return the number of stacked runs K */
    public int runs() {
        return runs;
    }

    /** @return tower f */
    public Tower tower1() {
        return tower1;
    }

    /** @return tower g */
    public Tower tower2() {
        return tower2;
    }

    /** Embeds modality 1: {@code [K, n, in1] -> [K, n, d]}. */
    public NDArray embed1(NDArray x) {
        return tower1.forward(params, x);
    }

    /** Embeds modality 2: {@code [K, n, in2] -> [K, n, d]}. */
    public NDArray embed2(NDArray y) {
        return tower2.forward(params, y);
    }

    /** Rows embedded per chunk by {@link #embedRows}, to bound memory. */
    public static final int EMBED_CHUNK = 16384;

    /**
     * Embeds rows {@code [n, in]} with one tower of a one-run model (or run 0 of a stack), in chunks
     * of {@link #EMBED_CHUNK} rows.
     *
     * @param x inputs {@code [n, in]}
     * @param side which tower embeds them
     * @return {@code [n, d]} on {@code x}'s manager
     */
    public NDArray embedRows(NDArray x, Modality side) {
        NDManager target = x.getManager();
        long n = x.getShape().get(0);
        try (NDManager scope = target.newSubManager()) {
            tempAttach(scope);
            scope.tempAttachAll(x);
            ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
            for (long start = 0; start < n; start += EMBED_CHUNK) {
                NDArray chunk = x.get(new NDIndex("{}:{}", start, Math.min(n, start + EMBED_CHUNK))).expandDims(0);
                NDArray z = side == Modality.FIRST ? embed1(chunk) : embed2(chunk);
                parts.add(z.reshape(new Shape(z.getShape().get(1), z.getShape().get(2))));
            }
            NDArray out = parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts, 0);
            out.attach(target);
            return out;
        }
    }

    /**
     * The per-run logit scale {@code 1/tau}, shape {@code [K]}. Learnable: {@code exp(logit_scale)},
     * a new array on the parameter's (current) manager; fixed: the shared constant (do not close it).
     */
    public NDArray logitScale() {
        return config.temperature().learnable() ? params.get(LOGIT_SCALE).exp() : fixedScale;
    }

    /**
     * Temporarily attaches the parameters (and a fixed scale) to a step scope, so every array
     * derived from them in the step is freed with the scope; they return when it closes.
     */
    public void tempAttach(NDManager scope) {
        params.tempAttach(scope);
        if (fixedScale != null) {
            scope.tempAttachAll(fixedScale);
        }
    }

    /**
     * Clamps a learnable log logit scale to at most {@code ln(maxLogitScale)}, in place; call after
     * every optimiser step. No-op for a fixed temperature.
     */
    public void clampLogitScale() {
        if (!config.temperature().learnable()) {
            return;
        }
        NDArray s = params.get(LOGIT_SCALE);
        double max = Math.log(config.temperature().maxLogitScale());
        try (NDArray excess = s.sub(max).maximum(0)) {
            s.subi(excess);
        }
    }

    /**
     * Extracts one run as a K = 1 model sharing nothing with this one (arrays are copied onto
     * {@code manager}), e.g. to embed data with a run picked from a sweep.
     *
     * @param run run index in [0, K)
     * @param manager owner of the copy
     * @return a one-run model
     */
    public DualEncoder selectRun(int run, NDManager manager) {
        if (run < 0 || run >= runs) {
            throw new IllegalArgumentException("run " + run + " out of range [0, " + runs + ")");
        }
        Parameters p = new Parameters();
        NDIndex idx = new NDIndex("{}:{}", run, run + 1);
        for (ParamSpec spec : params.specs()) {
            NDArray copy = params.get(spec.name()).get(idx).duplicate();
            copy.attach(manager);
            p.put(spec, copy);
        }
        NDArray fixed = null;
        if (fixedScale != null) {
            fixed = fixedScale.get(idx).duplicate();
            fixed.attach(manager);
        }
        return new DualEncoder(config, p, fixed, 1);
    }

    /**
     * Rebuilds a model around existing parameters (e.g. loaded from a checkpoint).
     *
     * @param config the architecture
     * @param params parameters with the names this architecture defines
     * @param fixedTau per-run fixed temperatures (ignored when the temperature is learnable)
     * @param manager owner of the constant scale array
     * @return the model
     */
    public static DualEncoder fromParameters(DualEncoderConfig config, Parameters params, double[] fixedTau,
            NDManager manager) {
        int k = params.runs();
        NDArray fixed = null;
        if (!config.temperature().learnable()) {
            double[] inv = new double[k];
            for (int i = 0; i < k; i++) {
                inv[i] = 1 / fixedTau[i];
            }
            fixed = manager.create(inv).toType(params.get("tower1.w0").getDataType(), false);
        }
        return new DualEncoder(config, params, fixed, k);
    }
}
