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
        t++;
        List<NDArray> grads = new ArrayList<>();
        for (String name : params.names()) {
            grads.add(params.get(name).getGradient());
        }
        NDArray norm = globalNorm(grads);
        if (config.clipGradNorm() > 0) {
            // scale_k = min(1, c / (||g_k|| + 1e-6)), applied to every gradient of run k
            NDArray scale = norm.add(1e-6).pow(-1).mul(config.clipGradNorm()).minimum(1);
            for (NDArray g : grads) {
                g.muli(broadcast(scale, g.getShape()));
            }
        }
        NDArray lr = lrPerRun.mul(scheduleFactor);
        int i = 0;
        for (String name : params.names()) {
            update(params.get(name), grads.get(i++), params.spec(name), name, lr);
        }
        for (NDArray g : grads) {
            g.subi(g);
        }
        return norm;
    }

    private void update(NDArray p, NDArray g, ParamSpec spec, String name, NDArray lr) {
        double wd = spec.weightDecay() ? config.weightDecay() : 0;
        NDArray lrB = broadcast(lr, p.getShape());
        if (wd > 0 && config.kind() != OptimConfig.OptimizerKind.ADAMW) {
            g = g.add(p.mul(wd));
        }
        NDArray m = first.get(name);
        if (config.kind() == OptimConfig.OptimizerKind.SGD) {
            m.muli(config.momentum()).addi(g);
            p.subi(m.mul(lrB));
            return;
        }
        if (wd > 0 && config.kind() == OptimConfig.OptimizerKind.ADAMW) {
            p.muli(lrB.mul(-wd).add(1));
        }
        NDArray v = second.get(name);
        m.muli(config.beta1()).addi(g.mul(1 - config.beta1()));
        v.muli(config.beta2()).addi(g.square().mul(1 - config.beta2()));
        double bc1 = 1 - Math.pow(config.beta1(), t);
        double bc2 = 1 - Math.pow(config.beta2(), t);
        NDArray denom = v.sqrt().div(Math.sqrt(bc2)).add(config.eps());
        p.subi(m.div(denom).mul(lrB).div(bc1));
    }

    /** Per-run L2 norm over all gradients: {@code sqrt(sum_params sum_elems g_k^2)}, shape {@code [K]}. */
    static NDArray globalNorm(List<NDArray> grads) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray sq = g.square().reshape(g.getShape().get(0), -1).sum(new int[] {1});
            total = total == null ? sq : total.add(sq);
        }
        return total.sqrt();
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
