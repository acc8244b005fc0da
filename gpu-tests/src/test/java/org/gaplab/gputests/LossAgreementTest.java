package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gaplab.gputests.Arrays32.assertClose;
import static org.gaplab.gputests.Arrays32.copy;
import static org.gaplab.gputests.Arrays32.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.loss.SymmetricInfoNce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Symmetric InfoNCE and its gradients on GPU agree with the CPU on identical float32 inputs
 * (unit-norm embeddings generated once on the CPU and copied, K = 3 runs with different scales).
 */
@RequiresCuda
class LossAgreementTest {
    private static final int K = 3;
    private static final int B = 256;
    private static final int D = 16;
    /** ln(scale) per run: tau = 1, 0.1 and 0.02, the last near the sharp end the paper's runs reach. */
    private static final float[] LOG_SCALE = {0f, (float) Math.log(10), (float) Math.log(50)};

    private final PairLoss loss = new SymmetricInfoNce();
    private NDManager cpu;
    private NDManager gpu;
    private NDList inputs;

    @BeforeEach
    void inputs() {
        cpu = NDManager.newBaseManager(Device.cpu());
        gpu = NDManager.newBaseManager(gpu());
        cpu.getEngine().setRandomSeed(20260127);
        NDArray z1 = unit(cpu.randomNormal(new Shape(K, B, D), DataType.FLOAT32));
        NDArray z2 = unit(z1.add(cpu.randomNormal(new Shape(K, B, D), DataType.FLOAT32).mul(0.5)));
        inputs = new NDList(z1, z2, cpu.create(LOG_SCALE));
    }

    @AfterEach
    void close() {
        gpu.close();
        cpu.close();
    }

    private static NDArray unit(NDArray z) {
        return z.div(z.norm(new int[] {2}, true));
    }

    private NDList on(NDManager m) {
        NDList out = new NDList();
        for (NDArray a : inputs) {
            out.add(copy(a, m));
        }
        return out;
    }

    @Test
    void perRunLossAgrees() {
        NDList c = on(cpu);
        NDList g = on(gpu);
        NDArray lc = loss.perRun(c.get(0), c.get(1), c.get(2).exp());
        NDArray lg = loss.perRun(g.get(0), g.get(1), g.get(2).exp());
        assertThat(lg.getDevice()).isEqualTo(gpu());
        float[] cpuLoss = lc.toFloatArray();
        assertThat(cpuLoss).hasSize(K);
        // values around ln B = 5.5; float32 sums over B^2 logits
        assertClose("loss", lg.toFloatArray(), cpuLoss, 1e-5, 1e-5);
    }

    @Test
    void gradientsAgree() {
        float[][] cpuGrads = gradients(cpu);
        float[][] gpuGrads = gradients(gpu);
        String[] names = {"dL/dz1", "dL/dz2", "dL/dlogScale"};
        for (int i = 0; i < names.length; i++) {
            // a gradient that is identically zero would make the comparison vacuous
            assertThat(maxAbs(cpuGrads[i])).as(names[i] + " is non-zero").isGreaterThan(1e-6);
            assertClose(names[i], gpuGrads[i], cpuGrads[i], 1e-6, 1e-4);
        }
    }

    private float[][] gradients(NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            NDList in = on(scope);
            for (NDArray a : in) {
                a.setRequiresGradient(true);
            }
            // distinct weights per run, so a gradient leaking between stacked runs would show
            NDArray weights = scope.create(new float[] {1f, 2f, 3f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.perRun(in.get(0), in.get(1), in.get(2).exp());
                gc.backward(l.mul(weights).sum());
            }
            float[][] out = new float[in.size()][];
            for (int i = 0; i < in.size(); i++) {
                NDArray grad = in.get(i).getGradient();
                assertThat(grad.getDevice()).isEqualTo(m.getDevice());
                out[i] = grad.toFloatArray();
            }
            return out;
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
