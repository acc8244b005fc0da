package org.gaplab.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimiser over run-stacked parameters, with its state held here so it can be checkpointed.
 * Runs are independent: each has its own learning rate and its own gradient norm, and every
 * update is elementwise. Updates follow PyTorch's {@code torch.optim} formulas:
 *
 * <pre>
 *   Adam:  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *          p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)     [g += wd p first]
 *   AdamW: the same with p *= 1 - lr wd before the update instead of g += wd p
 *   SGD:   buf = mu buf + g;  p -= lr buf                                    [g += wd p first]
 * </pre>
 *
 * Call {@link #step} outside a gradient collector; it reads and then zeroes the gradients
 * (PyTorch accumulates them across backward passes).
 */
public final class Optimizer {
    private final OptimConfig config;
    private final NDArray lrPerRun;
    private final double[] lrHost;
    private Constants constants;
    private NDList constantList;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long t;

    /**
     * @param config settings
     * @param params the parameters to update (their specs decide weight decay)
     * @param lrPerRun peak learning rate of each run, {@code [K]}
     * @param manager owner of the state arrays
     */
    public Optimizer(OptimConfig config, Parameters params, double[] lrPerRun, NDManager manager) {
        this.config = config;
        if (lrPerRun.length != params.runs()) {
            throw new IllegalArgumentException("need one learning rate per run: " + lrPerRun.length + " vs K = " + params.runs());
        }
        NDArray any = params.asList().get(0);
        this.lrPerRun = manager.create(lrPerRun).toType(any.getDataType(), false);
        this.lrHost = lrPerRun.clone();
        createConstants(manager, any.getDataType());
        for (String name : params.names()) {
            NDArray p = params.get(name);
            first.put(name, manager.zeros(p.getShape(), p.getDataType()));
            if (config.kind() != OptimConfig.OptimizerKind.SGD) {
                second.put(name, manager.zeros(p.getShape(), p.getDataType()));
            }
        }
    }

    /** @return the settings */
    public OptimConfig config() {
        return config;
    }

    /** @return number of updates applied so far (Adam's t) */
    public long updates() {
        return t;
    }

    /** Temporarily attaches the state to a step scope (see {@link Parameters#tempAttach}). */
    public void tempAttach(NDManager scope) {
        scope.tempAttachAll(lrPerRun);
        scope.tempAttachAll(constantList);
        scope.tempAttachAll(new NDList(first.values()));
        scope.tempAttachAll(new NDList(second.values()));
    }

    /**
     * Applies one update to every run.
     *
     * @param params the parameters, whose gradients were just computed
     * @param scheduleFactor learning-rate multiplier from the schedule
     * @return each run's global gradient norm before clipping, {@code [K]}, on the scope of the
     *     parameters' current manager
     */
    public NDArray step(Parameters params, double scheduleFactor) {
        List<NDArray> grads = new ArrayList<>();
        for (String name : params.names()) {
            grads.add(params.get(name).getGradient());
        }
        NDArray norm = step(params, grads, scheduleFactor);
        for (NDArray g : grads) {
            org.gaplab.models.Parameters.resetGradient(g);
        }
        return norm;
    }

    /**
     * Applies one update from explicitly computed gradients (e.g. a closed-form backward); the
     * gradients are used as scratch space and left modified.
     *
     * @param params the parameters
     * @param grads one gradient per parameter, in {@link Parameters#names()} order
     * @param scheduleFactor learning-rate multiplier from the schedule
     * @return each run's global gradient norm before clipping, {@code [K]}
     */
    public NDArray step(Parameters params, List<NDArray> grads, double scheduleFactor) {
        return step(params, grads, scheduleFactor, grads.size(), null);
    }

    /** Runs two pieces of work and returns when both are done, possibly side by side. */
    @FunctionalInterface
    public interface Pair {
        /**
         * @param first the first piece
         * @param second the second piece
         */
        void both(Runnable first, Runnable second);
    }

    /**
     * As {@link #step(Parameters, List, double)} with the parameters in two groups, the first
     * {@code split} of {@link Parameters#names()} and the rest, whose squared norms and updates
     * run as the two pieces of {@code pair} (e.g. side by side on two threads). Each group does
     * the one-group step's operations on its parameters, and the global norm adds the
     * per-parameter sums in parameter order, so the result is the one-group step's, given the same
     * libtorch thread count (a sum over many elements may split differently across threads).
     *
     * @param split parameters in the first group
     * @param pair how the groups run; null for one group in order
     * @return each run's global gradient norm before clipping, {@code [K]}
     */
    public NDArray step(Parameters params, List<NDArray> grads, double scheduleFactor, int split, Pair pair) {
        if (grads.size() != params.names().size() || split < 0 || split > grads.size()) {
            throw new IllegalArgumentException("need one gradient per parameter (" + params.names().size() + ", got "
                    + grads.size() + ") and a split within them, got " + split);
        }
        t++;
        // the squared gradients of the norm are Adam's g^2 as well, unless clipping rescales g
        List<NDArray> squares = new ArrayList<>();
        List<NDArray> sums = new ArrayList<>();
        if (pair == null) {
            squaredSums(grads, squares, sums);
        } else {
            List<NDArray> firstSquares = new ArrayList<>();
            List<NDArray> restSquares = new ArrayList<>();
            List<NDArray> firstSums = new ArrayList<>();
            List<NDArray> restSums = new ArrayList<>();
            pair.both(() -> squaredSums(grads.subList(0, split), firstSquares, firstSums),
                    () -> squaredSums(grads.subList(split, grads.size()), restSquares, restSums));
            squares.addAll(firstSquares);
            squares.addAll(restSquares);
            sums.addAll(firstSums);
            sums.addAll(restSums);
        }
        NDArray norm = addInOrder(sums).sqrt();
        if (config.clipGradNorm() > 0) {
            squares = null;
            // scale_k = min(1, c / (||g_k|| + 1e-6)), applied to every gradient of run k
            NDArray scale = norm.add(1e-6).pow(-1).mul(config.clipGradNorm()).minimum(1);
            for (NDArray g : grads) {
                g.muli(broadcast(scale, g.getShape()));
            }
        }
        Constants c = constants;
        double bc1 = 1 - Math.pow(config.beta1(), t);
        double bc2 = 1 - Math.pow(config.beta2(), t);
        // Per-run step sizes: lr_k * factor (SGD) or lr_k * factor / (1 - b1^t) (Adam), written in
        // place into persistent arrays so no step allocates them anew.
        double[] step = new double[lrHost.length];
        double[] decay = new double[lrHost.length];
        for (int k = 0; k < step.length; k++) {
            double lr = lrHost[k] * scheduleFactor;
            step[k] = config.kind() == OptimConfig.OptimizerKind.SGD ? lr : lr / bc1;
            decay[k] = 1 - lr * config.weightDecay();
        }
        set(c.stepSize, step);
        set(c.decay, decay);
        set(c.invSqrtBc2, new double[] {1 / Math.sqrt(bc2)});
        List<String> names = params.names();
        List<NDArray> sq = squares;
        if (pair == null) {
            updateRange(params, names, grads, sq, 0, names.size(), c);
        } else {
            pair.both(() -> updateRange(params, names, grads, sq, 0, split, c),
                    () -> updateRange(params, names, grads, sq, split, names.size(), c));
        }
        return norm;
    }

    private void updateRange(Parameters params, List<String> names, List<NDArray> grads, List<NDArray> squares, int from, int to,
            Constants c) {
        for (int i = from; i < to; i++) {
            String name = names.get(i);
            update(params.get(name), grads.get(i), squares == null ? null : squares.get(i), params.spec(name), name, c);
        }
    }

    /** Scalars and per-run vectors reused by every step (created once, on the parameters' device). */
    private static final class Constants {
        NDArray beta1;
        NDArray oneMinusBeta1;
        NDArray beta2;
        NDArray oneMinusBeta2;
        NDArray eps;
        NDArray weightDecay;
        NDArray invSqrtBc2;
        /** The dtype's smallest normal number, or null: on a GPU, or when raising v to it could change a denominator. */
        NDArray sqrtFloor;
        NDArray stepSize;
        NDArray decay;
    }

    /** Creates the reused scalars on the optimiser's own manager (never on a step scope). */
    private void createConstants(NDManager m, ai.djl.ndarray.types.DataType dt) {
        {
            Constants c = new Constants();
            c.beta1 = scalar(m, config.beta1(), dt);
            c.oneMinusBeta1 = scalar(m, 1 - config.beta1(), dt);
            c.beta2 = scalar(m, config.beta2(), dt);
            c.oneMinusBeta2 = scalar(m, 1 - config.beta2(), dt);
            c.eps = scalar(m, config.eps(), dt);
            c.weightDecay = scalar(m, config.weightDecay(), dt);
            c.invSqrtBc2 = scalar(m, 1, dt);
            double minNormal = dt == ai.djl.ndarray.types.DataType.FLOAT64 ? Double.MIN_NORMAL : Float.MIN_NORMAL;
            // the slow path is MKL's; a GPU's root has none, and the floor would be one more kernel
            boolean floor = !m.getDevice().isGpu()
                    && sqrtFloorIsExact(minNormal, dt == ai.djl.ndarray.types.DataType.FLOAT64 ? 53 : 24);
            c.sqrtFloor = floor ? scalar(m, minNormal, dt) : null;
            c.stepSize = m.zeros(lrPerRun.getShape(), dt);
            c.decay = m.zeros(lrPerRun.getShape(), dt);
            constants = c;
            constantList = new NDList(c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.eps, c.weightDecay,
                    c.invSqrtBc2, c.stepSize, c.decay);
            if (c.sqrtFloor != null) {
                constantList.add(c.sqrtFloor);
            }
        }
    }

    /**
     * Whether {@code sqrt(max(v, minNormal))} may stand for {@code sqrt(v)} in Adam's denominator
     * without changing a bit of it. libtorch's CPU square root (MKL's) takes a slow path for zeros
     * and subnormal numbers, which fill v wherever a gradient has been zero, e.g. the weights of
     * dead ReLU units: 11x slower on such entries, measured. For {@code v < minNormal} both roots
     * times the largest bias correction {@code 1/sqrt(1 - beta2)} are below half an ulp of eps,
     * so {@code root * k + eps} rounds to eps either way; the check keeps a factor 4 of margin.
     *
     * @param minNormal the dtype's smallest normal number
     * @param mantissaBits the dtype's significand bits (24 or 53)
     */
    boolean sqrtFloorIsExact(double minNormal, int mantissaBits) {
        double largest = Math.sqrt(minNormal) / Math.sqrt(1 - config.beta2());
        return 4 * largest < config.eps() * Math.pow(2, -mantissaBits - 1);
    }

    private static NDArray scalar(NDManager m, double v, ai.djl.ndarray.types.DataType dt) {
        return m.create(v).toType(dt, false);
    }

    private static void set(NDArray target, double[] values) {
        if (target.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64) {
            target.set(values);
        } else {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            target.set(f);
        }
    }

    /**
     * One parameter's update, in place; allocates two temporaries.
     *
     * @param squared {@code g o g} when it is at hand (before weight decay is added), else null
     */
    private void update(NDArray p, NDArray g, NDArray squared, ParamSpec spec, String name, Constants c) {
        boolean decays = spec.weightDecay() && config.weightDecay() > 0;
        NDArray stepSize = broadcast(c.stepSize, p.getShape());
        if (decays && config.kind() != OptimConfig.OptimizerKind.ADAMW) {
            g.addi(p.mul(c.weightDecay));
            squared = null;
        }
        NDArray m = first.get(name);
        if (config.kind() == OptimConfig.OptimizerKind.SGD) {
            m.muli(config.momentum()).addi(g);
            p.subi(m.mul(stepSize));
            return;
        }
        if (decays && config.kind() == OptimConfig.OptimizerKind.ADAMW) {
            p.muli(broadcast(c.decay, p.getShape()));
        }
        NDArray v = second.get(name);
        NDArray gSquared = squared != null ? squared : g.square();
        v.muli(c.beta2).addi(gSquared.muli(c.oneMinusBeta2));
        m.muli(c.beta1).addi(g.muli(c.oneMinusBeta1));
        NDArray denom = (c.sqrtFloor == null ? v : v.maximum(c.sqrtFloor)).sqrt().muli(c.invSqrtBc2).addi(c.eps);
        p.subi(m.div(denom).muli(stepSize));
    }

    /**
     * Each gradient's per-run sum of squares, {@code sum_elems g_k^2} as {@code [K]}; the global
     * norm adds them in parameter order ({@link #addInOrder}), however the parameters were grouped.
     *
     * @param squares receives {@code g o g} of every gradient, in order
     * @param sums receives every gradient's {@code [K]} sum, in order; each a fresh array
     */
    private static void squaredSums(List<NDArray> grads, List<NDArray> squares, List<NDArray> sums) {
        for (NDArray g : grads) {
            int rank = g.getShape().dimension();
            NDArray sq = g.square();
            squares.add(sq);
            // a fresh array for the sum: the first is updated in place and must not alias a square
            sums.add(rank > 1 ? sq.sum(java.util.stream.IntStream.range(1, rank).toArray()) : sq.duplicate());
        }
    }

    /** {@code sums[0] + sums[1] + ...}, left to right, into the first (which is fresh). */
    private static NDArray addInOrder(List<NDArray> sums) {
        NDArray total = sums.get(0);
        for (int i = 1; i < sums.size(); i++) {
            total.addi(sums.get(i));
        }
        return total;
    }

    /** Reshapes a {@code [K]} vector to broadcast against {@code [K, ...]}. */
    static NDArray broadcast(NDArray perRun, Shape like) {
        long[] dims = new long[like.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = -1;
        return perRun.reshape(dims);
    }

    /** @return the state for a checkpoint: arrays named {@code m/<param>} and {@code v/<param>} */
    public NDList state() {
        NDList out = new NDList();
        first.forEach((name, a) -> {
            a.setName("m/" + name);
            out.add(a);
        });
        second.forEach((name, a) -> {
            a.setName("v/" + name);
            out.add(a);
        });
        return out;
    }

    /**
     * Restores state saved by {@link #state()}.
     *
     * @param saved the arrays
     * @param updates the update count t at save time
     */
    public void load(NDList saved, long updates) {
        for (NDArray s : saved) {
            String n = s.getName();
            Map<String, NDArray> target = n.startsWith("m/") ? first : n.startsWith("v/") ? second : null;
            NDArray dst = target == null ? null : target.get(n.substring(2));
            if (dst == null || !dst.getShape().equals(s.getShape())) {
                throw new IllegalArgumentException("optimiser state " + n + " does not match this model");
            }
            dst.set(s.toType(dst.getDataType(), false).toByteBuffer());
        }
        this.t = updates;
    }
}
