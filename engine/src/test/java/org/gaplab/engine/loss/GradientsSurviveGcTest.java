package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.models.OutputMap;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Every loss that trains through autograd gives the same gradient when the JVM collects garbage
 * between the forward and the backward pass. DJL's number operations ({@code mul(Number)},
 * {@code maximum(Number)}, ...) borrow a Java buffer for the scalar that libtorch keeps for the
 * backward pass; a collection frees it (see {@link org.gaplab.models.Scalars}). Before the fix the
 * MMD penalty's gradient differed in every collected repetition.
 */
class GradientsSurviveGcTest {
    private static final int B = 64;
    private static final int D = 8;

    @Test
    void pairLossGradientsAreTheSameAfterACollectionBetweenForwardAndBackward() {
        List<PairLoss> losses = List.of(new SymmetricInfoNce(), new DirectionalInfoNce(DirectionalInfoNce.Direction.X_TO_Y),
                new SigmoidPairLoss(-10), new GapRegularizedLoss(new SymmetricInfoNce(), new MmdPenalty(), 10),
                new GapRegularizedLoss(new SymmetricInfoNce(), new CentroidGapPenalty(), 3));
        for (PairLoss loss : losses) {
            // the scale stays open until after the backward pass, as the model's fixed scale does
            assertSameUnderGc(loss.toString(), (a, b) -> loss.perRun(a, b, a.getManager().create(new float[] {14.3f})));
        }
    }

    @Test
    void unimodalLossAndSphereMapGradientsAreTheSameAfterACollection() {
        assertSameUnderGc("unimodal InfoNCE, RBF", (a, b) -> new UnimodalInfoNce(new RbfCritic(0.5), 0.2).perRun(a, b, b.flip(1)));
        assertSameUnderGc("partition-field energy", (a, b) -> new PartitionFieldEnergy(new CosineCritic(), 0.2).perRun(a, b, b.flip(1)));
        assertSameUnderGc("sphere map", (a, b) -> OutputMap.SPHERE.apply(a.mul(b.add(2)).sub(0.5)).mul(b).sum(new int[] {1, 2}));
    }

    private static void assertSameUnderGc(String what, BiFunction<NDArray, NDArray, NDArray> perRun) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray a = unit(m.randomNormal(new Shape(1, B, D)));
            NDArray b = unit(m.randomNormal(new Shape(1, B, D)).add(0.5));
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            float[] reference = gradient(m, a, b, perRun, false);
            for (int rep = 0; rep < 3; rep++) {
                assertThat(gradient(m, a, b, perRun, true)).as(what + ", repetition " + rep).containsExactly(reference);
            }
        }
    }

    private static float[] gradient(NDManager m, NDArray a, NDArray b, BiFunction<NDArray, NDArray, NDArray> perRun, boolean collect) {
        try (NDManager scope = m.newSubManager()) {
            scope.tempAttachAll(new NDList(a, b));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = perRun.apply(a, b).sum();
                if (collect) {
                    collectAndReuseFreedBuffers();
                }
                gc.backward(loss);
            }
            float[] g = a.getGradient().concat(b.getGradient()).toFloatArray();
            a.getGradient().subi(a.getGradient());
            b.getGradient().subi(b.getGradient());
            return g;
        }
    }

    /** Frees unreachable direct buffers and fills their memory with other values. */
    private static void collectAndReuseFreedBuffers() {
        System.gc();
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4 + (i % 8) * 4);
            while (buf.hasRemaining()) {
                buf.put((byte) 0x7e);
            }
            junk.add(buf);
        }
        assertThat(junk).hasSize(2000);
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.norm(new int[] {2}, true));
    }
}
