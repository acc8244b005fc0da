package org.gaplab.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.gaplab.engine.optim.OptimConfig.OptimizerKind;
import org.gaplab.engine.optim.OptimConfig.Schedule;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * libtorch's fused Adam against the separate operations it replaces, and a run's independence of
 * its stack (the kernel is elementwise). {@code OptimizerTest} checks both paths' formulas against
 * a plain-Java reference in float64.
 */
class FusedAdamTest {
    private static final int K = 3;
    private static final int STEPS = 30;

    @AfterEach
    void restore() {
        System.clearProperty("gaplab.fusedAdam");
    }

    private static OptimConfig config(OptimizerKind kind) {
        return new OptimConfig(kind, 0.01, 0.9, 0.999, 1e-8, 0.05, 0.9, 0, Schedule.CONSTANT, 0, 0);
    }

    /** Trains parameters [runs, 48, 24] and [runs, 24] (decayed and not) for STEPS steps of fixed random gradients. */
    private static List<float[]> train(OptimizerKind kind, double[] lr, boolean fused, int onlyRun) {
        System.setProperty("gaplab.fusedAdam", Boolean.toString(fused));
        int runs = lr.length;
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters();
            params.put(new ParamSpec("w", new Shape(48, 24), 0, true), m.create(values(runs * 48 * 24, 1, onlyRun, 48 * 24), new Shape(runs, 48, 24)));
            params.put(new ParamSpec("b", new Shape(24), 0, false), m.create(values(runs * 24, 2, onlyRun, 24), new Shape(runs, 24)));
            Optimizer opt = new Optimizer(config(kind), params, lr, m);
            assertThat(opt.fused()).isEqualTo(fused);
            for (int s = 0; s < STEPS; s++) {
                try (NDManager scope = m.newSubManager()) {
                    List<NDArray> grads = new ArrayList<>();
                    grads.add(m.create(values(runs * 48 * 24, 100 + s, onlyRun, 48 * 24), new Shape(runs, 48, 24)));
                    grads.add(m.create(values(runs * 24, 200 + s, onlyRun, 24), new Shape(runs, 24)));
                    grads.forEach(g -> g.attach(scope));
                    opt.step(params, grads, 0.5 + 0.5 * s / STEPS).attach(scope);
                }
            }
            return List.of(params.get("w").toFloatArray(), params.get("b").toFloatArray());
        }
    }

    /** Values for all runs, or for run {@code onlyRun} alone (the same values as that run's slice of the stack). */
    private static float[] values(int n, long seed, int onlyRun, int perRun) {
        Random r = new Random(seed);
        float[] all = new float[onlyRun < 0 ? n : K * perRun];
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) r.nextGaussian();
        }
        if (onlyRun < 0) {
            return all;
        }
        float[] one = new float[perRun];
        System.arraycopy(all, onlyRun * perRun, one, 0, perRun);
        return one;
    }

    @ParameterizedTest
    @EnumSource(value = OptimizerKind.class, names = {"ADAM", "ADAMW"})
    void fusedAgreesWithSeparateOperationsInFloat32(OptimizerKind kind) {
        for (double[] lr : List.of(new double[] {0.01, 0.01, 0.01}, new double[] {0.01, 0.003, 0.02})) {
            List<float[]> fused = train(kind, lr, true, -1);
            List<float[]> plain = train(kind, lr, false, -1);
            for (int t = 0; t < 2; t++) {
                float[] a = fused.get(t);
                float[] b = plain.get(t);
                for (int i = 0; i < a.length; i++) {
                    // 30 steps of size <= lr: a few float32 roundings of |p| ~ 1 apart at most
                    assertThat((double) Math.abs(a[i] - b[i])).as("%s tensor %d element %d", kind, t, i).isLessThan(2e-6);
                }
            }
        }
    }

    @Test
    void aRunOfAStackEqualsItsRunAloneBitForBit() {
        double[] lr = {0.01, 0.003, 0.02};
        List<float[]> stack = train(OptimizerKind.ADAM, lr, true, -1);
        for (int k = 0; k < K; k++) {
            List<float[]> alone = train(OptimizerKind.ADAM, new double[] {lr[k]}, true, k);
            float[] w = java.util.Arrays.copyOfRange(stack.get(0), k * 48 * 24, (k + 1) * 48 * 24);
            float[] b = java.util.Arrays.copyOfRange(stack.get(1), k * 24, (k + 1) * 24);
            assertThat(alone.get(0)).as("w of run %d", k).containsExactly(w);
            assertThat(alone.get(1)).as("b of run %d", k).containsExactly(b);
        }
    }

    @Test
    void fusedOnlyForAdamOnRunsLargeEnoughUnlessForced() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameters params = new Parameters();
            params.put(new ParamSpec("w", new Shape(2), 0, true), m.zeros(new Shape(1, 2)));
            // auto: a 2-parameter run is below the size from which fusing pays
            assertThat(new Optimizer(config(OptimizerKind.ADAM), params, new double[] {0.1}, m).fused()).isFalse();
            params.put(new ParamSpec("big", new Shape(Optimizer.FUSED_MIN_PARAMS_PER_RUN), 0, true),
                    m.zeros(new Shape(1, Optimizer.FUSED_MIN_PARAMS_PER_RUN)));
            assertThat(new Optimizer(config(OptimizerKind.ADAM), params, new double[] {0.1}, m).fused()).isTrue();
            assertThat(new Optimizer(config(OptimizerKind.SGD), params, new double[] {0.1}, m).fused()).isFalse();
            System.setProperty("gaplab.fusedAdam", "false");
            assertThat(new Optimizer(config(OptimizerKind.ADAM), params, new double[] {0.1}, m).fused()).isFalse();
        }
    }
}
