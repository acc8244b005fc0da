package org.gaplab.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.engine.optim.OptimConfig.OptimizerKind;
import org.gaplab.engine.optim.OptimConfig.Schedule;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OptimizerTest {
    private static final double[][] GRADS = {{0.5, -1.0}, {0.2, 0.3}, {-0.7, 0.1}, {1.5, -0.4}};

    /** Plain-Java reference of torch.optim's update for one scalar parameter. */
    private static double reference(OptimizerKind kind, double p0, double[] grads, double lr, double wd, boolean decay) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double mu = 0.9;
        double p = p0;
        double m = 0;
        double v = 0;
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            double w = decay ? wd : 0;
            if (kind == OptimizerKind.SGD) {
                g += w * p;
                m = mu * m + g;
                p -= lr * m;
                continue;
            }
            if (kind == OptimizerKind.ADAM) {
                g += w * p;
            } else {
                p *= 1 - lr * w;
            }
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            p -= lr / bc1 * m / (Math.sqrt(v) / Math.sqrt(bc2) + eps);
        }
        return p;
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void matchesTorchFormulasPerRunWithDecayOnlyWhereAllowed(OptimizerKind kind) {
        double wd = 0.1;
        OptimConfig cfg = new OptimConfig(kind, 0.01, 0.9, 0.999, 1e-8, wd, 0.9, 0, Schedule.CONSTANT, 0, 0);
        double[] lr = {0.01, 0.05};
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters();
            params.put(new ParamSpec("w", new Shape(), 0, true), m.create(new double[] {1.0, -2.0}));
            params.put(new ParamSpec("s", new Shape(), 0, false), m.create(new double[] {0.3, 0.4}));
            params.requireGradients();
            Optimizer opt = new Optimizer(cfg, params, lr, m);
            for (double[] g : GRADS) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray c = m.create(g);
                    gc.backward(params.get("w").mul(c).sum().add(params.get("s").mul(c).sum()));
                }
                opt.step(params, 1.0);
            }
            double[] w = params.get("w").toDoubleArray();
            double[] s = params.get("s").toDoubleArray();
            for (int k = 0; k < 2; k++) {
                double[] gk = {GRADS[0][k], GRADS[1][k], GRADS[2][k], GRADS[3][k]};
                assertThat(w[k]).as("w run %d", k).isCloseTo(reference(kind, k == 0 ? 1.0 : -2.0, gk, lr[k], wd, true), within(1e-12));
                assertThat(s[k]).as("s run %d", k).isCloseTo(reference(kind, k == 0 ? 0.3 : 0.4, gk, lr[k], wd, false), within(1e-12));
            }
            // gradients are zeroed after the update (PyTorch would accumulate them)
            assertThat(params.get("w").getGradient().toDoubleArray()).containsOnly(0.0);
        }
    }

    /**
     * Zero and subnormal second moments (dead units, vanishing gradients) take Adam's root of the
     * floored v, which must leave every float32 parameter bit as the plain root would; with an eps
     * so small that the floor would show, the plain root is kept.
     */
    @Test
    void flooredRootsLeaveFloat32StepsBitForBit() {
        float[][] grads = {{0f, 1e-20f, 3e-3f, 0f, -2e-22f, 0.5f}, {0f, -1e-21f, 0f, 0f, 4e-19f, -0.25f},
            {0f, 0f, 1e-3f, 1e-30f, 0f, 0.125f}};
        for (double eps : new double[] {1e-8, 1e-30}) {
            OptimConfig cfg = new OptimConfig(OptimizerKind.ADAM, 0.01, 0.9, 0.999, eps, 0, 0, 0, Schedule.CONSTANT, 0, 0);
            try (NDManager m = NDManager.newBaseManager()) {
                float[] p0 = {0.5f, -1f, 2f, 0.25f, 3f, -0.75f};
                Parameters params = new Parameters();
                params.put(new ParamSpec("w", new Shape(6), 0, true), m.create(new float[][] {p0}));
                Optimizer opt = new Optimizer(cfg, params, new double[] {0.01}, m);
                assertThat(opt.sqrtFloorIsExact(Float.MIN_NORMAL, 24)).as("eps %s", eps).isEqualTo(eps > 1e-20);
                // the reference: the same float32 operations with the plain root
                NDArray p = m.create(new float[][] {p0});
                NDArray mom = p.zerosLike();
                NDArray v = p.zerosLike();
                for (int t = 1; t <= grads.length; t++) {
                    opt.step(params, java.util.List.of(m.create(new float[][] {grads[t - 1]})), 1.0);
                    NDArray g = m.create(new float[][] {grads[t - 1]});
                    v.muli(m.create(0.999f)).addi(g.square().muli(m.create((float) (1 - 0.999))));
                    mom.muli(m.create(0.9f)).addi(g.muli(m.create((float) (1 - 0.9))));
                    NDArray denom = v.sqrt().muli(m.create((float) (1 / Math.sqrt(1 - Math.pow(0.999, t)))))
                            .addi(m.create((float) eps));
                    p.subi(mom.div(denom).muli(m.create(new float[] {(float) (0.01 / (1 - Math.pow(0.9, t)))}).reshape(1, 1)));
                    assertThat(params.get("w").toFloatArray()).as("eps %s, step %d", eps, t).containsExactly(p.toFloatArray());
                }
            }
        }
    }

    /**
     * Two groups (as the side-by-side towers update them) give the same parameters and norms as
     * one, to the bit; clipping still scales by the global norm.
     */
    @Test
    void twoGroupsUpdateLikeOne() {
        for (double clip : new double[] {0, 0.5}) {
            OptimConfig cfg = new OptimConfig(OptimizerKind.ADAM, 0.1, 0.9, 0.999, 1e-8, 0, 0, 0, Schedule.CONSTANT, 0, clip);
            double[][] results = new double[2][];
            double[][] norms = new double[2][];
            for (int grouped = 0; grouped < 2; grouped++) {
                try (NDManager m = NDManager.newBaseManager()) {
                    Parameters params = new Parameters();
                    java.util.List<NDArray> grads = new java.util.ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        params.put(new ParamSpec("p" + i, new Shape(2), 0, true),
                                m.create(new double[][] {{i, -i}, {2 * i, 1}}));
                        grads.add(m.create(new double[][] {GRADS[i], {GRADS[i][1], GRADS[i][0]}}));
                    }
                    Optimizer opt = new Optimizer(cfg, params, new double[] {1, 1}, m);
                    java.util.List<Runnable> order = new java.util.ArrayList<>();
                    Optimizer.Pair pair = (a, b) -> {
                        order.add(b);       // the second group first: the groups must not depend on each other
                        b.run();
                        a.run();
                    };
                    norms[grouped] = (grouped == 0 ? opt.step(params, grads, 1.0) : opt.step(params, grads, 1.0, 1, pair)).toDoubleArray();
                    results[grouped] = params.asList().stream().flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
                    assertThat(order).hasSize(grouped == 0 ? 0 : 2);
                }
            }
            assertThat(results[1]).as("clip %s", clip).containsExactly(results[0]);
            assertThat(norms[1]).containsExactly(norms[0]);
        }
    }

    @Test
    void clipsEachRunsGlobalNormIndependently() {
        OptimConfig cfg = new OptimConfig(OptimizerKind.SGD, 1, 0.9, 0.999, 1e-8, 0, 0, 0, Schedule.CONSTANT, 0, 1.0);
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters();
            params.put(new ParamSpec("a", new Shape(2), 0, true), m.zeros(new Shape(2, 2)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false));
            params.requireGradients();
            Optimizer opt = new Optimizer(cfg, params, new double[] {1, 1}, m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // run 0 gradient (3, 4): norm 5 -> clipped to norm 1; run 1 gradient (0.3, 0.4): norm 0.5 -> kept
                gc.backward(params.get("a").mul(m.create(new double[][] {{3, 4}, {0.3, 0.4}})).sum());
            }
            double[] norms = opt.step(params, 1.0).toDoubleArray();
            assertThat(norms).containsExactly(new double[] {5, 0.5}, within(1e-12));
            double[] a = params.get("a").toDoubleArray();
            assertThat(a).containsExactly(new double[] {-0.6, -0.8, -0.3, -0.4}, within(1e-6));
        }
    }

    @Test
    void warmupThenCosineSchedule() {
        OptimConfig cfg = new OptimConfig(OptimizerKind.ADAM, 1, 0.9, 0.999, 1e-8, 0, 0, 10, Schedule.COSINE, 0.1, 0);
        assertThat(cfg.scheduleFactor(0, 110)).isCloseTo(0.1, within(1e-12));
        assertThat(cfg.scheduleFactor(9, 110)).isCloseTo(1.0, within(1e-12));
        assertThat(cfg.scheduleFactor(10, 110)).isCloseTo(1.0, within(1e-12));
        assertThat(cfg.scheduleFactor(60, 110)).isCloseTo(0.55, within(1e-12));
        assertThat(cfg.scheduleFactor(110, 110)).isCloseTo(0.1, within(1e-12));
        assertThat(OptimConfig.paperDefault().scheduleFactor(1234, 2000)).isEqualTo(1.0);
    }
}
