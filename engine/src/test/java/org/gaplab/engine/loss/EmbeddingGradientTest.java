package org.gaplab.engine.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Every loss's closed-form, row-blocked value and embedding gradient equals autograd through the
 * whole {@code [K, B, B]} loss, in float64 to 1e-9, at several batch sizes and block sizes, with a
 * learnable logit scale (and SigLIP's learnable bias).
 */
class EmbeddingGradientTest {
    private static final double TOL = 1e-9;
    private static final int[] BATCHES = {1, 6, 33};
    private static final int[] BLOCKS = {1, 4, 7, 1000};

    @Test
    void symmetricInfoNceOnUnitEmbeddingsWithTheSingleShift() {
        check(new SymmetricInfoNce(), true, true);
    }

    /** d >= 8 folds both softmax weights into one matrix when the whole matrix fits. */
    @Test
    void symmetricInfoNceOnWideUnitEmbeddingsWithFoldedWeights() {
        check(new SymmetricInfoNce(), true, true, 16);
    }

    @Test
    void symmetricInfoNceWithExactMaxima() {
        check(new SymmetricInfoNce(), true, false);
        check(new SymmetricInfoNce(), false, false);
    }

    @Test
    void oneDirectionalInfoNceBothWays() {
        for (DirectionalInfoNce.Direction dir : DirectionalInfoNce.Direction.values()) {
            check(new DirectionalInfoNce(dir), true, true);
            check(new DirectionalInfoNce(dir), false, false);
        }
    }

    @Test
    void centroidGapPenaltyAddsItsClosedForm() {
        check(new GapRegularizedLoss(new SymmetricInfoNce(), new CentroidGapPenalty(), 3.5), true, true);
        check(new GapRegularizedLoss(new DirectionalInfoNce(DirectionalInfoNce.Direction.Y_TO_X), new CentroidGapPenalty(), 0.7),
                false, false);
    }

    /** MMD^2 at its (held) median bandwidth: the closed form equals autograd through the penalty. */
    @Test
    void mmdPenaltyAddsItsClosedForm() {
        check(new GapRegularizedLoss(new SymmetricInfoNce(), new MmdPenalty(), 10), true, true);
        check(new GapRegularizedLoss(new SymmetricInfoNce(), new MmdPenalty(), 0.3), false, false, 16);
    }

    /** SigLIP with a learnable scale and a learnable bias: dL/d ln c and dL/db included. */
    @Test
    void sigmoidLossWithLearnableScaleAndBias() {
        SigmoidPairLoss loss = new SigmoidPairLoss(-10);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int b : BATCHES) {
                for (boolean unit : List.of(true, false)) {
                    Engine.getInstance().setRandomSeed(100 + b);
                    NDArray z1 = embeddings(m, b, unit);
                    NDArray z2 = embeddings(m, b, unit);
                    NDArray logScale = m.create(new double[] {Math.log(10), Math.log(1.5)});
                    NDArray bias = m.create(new double[] {-10, 0.75});
                    NDArray[] ref = autograd(z1, z2, logScale, bias, (a, c, s) -> loss.perRun(a, c, s, bias));
                    for (int block : BLOCKS) {
                        LossGradient g = loss.valueAndGradient(z1, z2, logScale.exp(), bias, new GradientRequest(block, unit, true));
                        assertClose(g.loss(), ref[0], "loss B=" + b + " block=" + block);
                        assertClose(g.gradZ1(), ref[1], "dz1");
                        assertClose(g.gradZ2(), ref[2], "dz2");
                        assertClose(g.gradLogScale(), ref[3], "d ln c");
                        assertClose(g.gradBias(), ref[4], "d b");
                    }
                }
            }
        }
    }

    /** The fixed-bias form equals the learnable form at the same bias. */
    @Test
    void sigmoidLossWithItsFixedBias() {
        check(new SigmoidPairLoss(-2), true, true);
    }

    /** A fixed temperature skips dL/d ln c; the embedding gradients do not change. */
    @Test
    void noScaleGradientWhenNotAsked() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray z1 = embeddings(m, 9, true);
            NDArray z2 = embeddings(m, 9, true);
            NDArray c = m.create(new double[] {14.3, 2});
            for (PairLoss loss : List.of(new SymmetricInfoNce(), new DirectionalInfoNce(DirectionalInfoNce.Direction.X_TO_Y),
                    new SigmoidPairLoss(-1))) {
                LossGradient with = loss.valueAndGradient(z1, z2, c, new GradientRequest(4, true, true));
                LossGradient without = loss.valueAndGradient(z1, z2, c, new GradientRequest(4, true, false));
                assertThat(without.gradLogScale()).isNull();
                assertClose(without.gradZ1(), with.gradZ1().toDoubleArray(), "dz1 of " + loss);
                assertClose(without.loss(), with.loss().toDoubleArray(), "loss of " + loss);
            }
        }
    }

    /**
     * A row block leaves nothing behind on the caller's manager: after the call, the arrays the
     * call created there are O(K B d), however many blocks ran (a block's [K, rows, B] arrays
     * once stayed alive until the step ended, so memory grew with B^2).
     */
    @Test
    void blocksLeaveOnlyBatchSizedArraysBehind() {
        for (PairLoss loss : List.of(new SymmetricInfoNce(), new DirectionalInfoNce(DirectionalInfoNce.Direction.Y_TO_X),
                new SigmoidPairLoss(-1))) {
            for (boolean unitShift : List.of(true, false)) {
                try (NDManager m = NDManager.newBaseManager()) {
                    Engine.getInstance().setRandomSeed(4);
                    NDArray z1 = embeddings(m, 96, true);
                    NDArray z2 = embeddings(m, 96, true);
                    NDArray c = m.create(new double[] {5, 2});
                    try (NDManager step = m.newSubManager()) {
                        step.tempAttachAll(z1, z2, c);
                        loss.valueAndGradient(z1, z2, c, new GradientRequest(32, unitShift, true));
                        long kept = step.getManagedArrays().stream().mapToLong(a -> a.getShape().size()).max().orElse(0);
                        assertThat(kept).as("largest array kept by %s (unit shift %s)", loss, unitShift)
                                .isLessThanOrEqualTo(2L * 96 * 8);
                    }
                }
            }
        }
    }

    /** The single shift is safe only where exp(-2c) stays a normal number. */
    @Test
    void singleShiftLimits() {
        assertThat(GradientRequest.shiftIsSafe(1 / 0.07, 4)).isTrue();
        assertThat(GradientRequest.shiftIsSafe(100, 4)).isFalse();
        assertThat(GradientRequest.shiftIsSafe(100, 8)).isTrue();
        assertThat(GradientRequest.shiftIsSafe(400, 8)).isFalse();
        assertThatThrownBy(() -> new GradientRequest(0, true, true)).hasMessageContaining("rowBlock");
    }

    private static void check(PairLoss loss, boolean unit, boolean unitShift) {
        check(loss, unit, unitShift, 4);
    }

    private static void check(PairLoss loss, boolean unit, boolean unitShift, int dim) {
        assertThat(loss.hasEmbeddingGradient()).as("%s", loss).isTrue();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int b : BATCHES) {
                Engine.getInstance().setRandomSeed(7 + b);
                NDArray z1 = embeddings(m, b, unit, dim);
                NDArray z2 = embeddings(m, b, unit, dim);
                NDArray logScale = m.create(new double[] {Math.log(1 / 0.07), Math.log(2.5)});
                NDArray[] ref = autograd(z1, z2, logScale, null, loss::perRun);
                for (int block : BLOCKS) {
                    String at = loss + " B=" + b + " block=" + block + " unit=" + unit;
                    LossGradient g = loss.valueAndGradient(z1, z2, logScale.exp(), new GradientRequest(block, unitShift, true));
                    assertClose(g.loss(), ref[0], "loss of " + at);
                    assertClose(g.gradZ1(), ref[1], "dL/dz1 of " + at);
                    assertClose(g.gradZ2(), ref[2], "dL/dz2 of " + at);
                    assertClose(g.gradLogScale(), ref[3], "dL/d ln c of " + at);
                }
            }
        }
    }

    private interface Loss3 {
        NDArray perRun(NDArray z1, NDArray z2, NDArray scale);
    }

    /** @return {loss, dz1, dz2, d ln c, d bias (or null)} by autograd through the whole loss */
    private static double[][] autogradValues(NDArray z1, NDArray z2, NDArray logScale, NDArray bias, Loss3 loss) {
        NDArray a = z1.duplicate();
        NDArray c = z2.duplicate();
        NDArray s = logScale.duplicate();
        a.setRequiresGradient(true);
        c.setRequiresGradient(true);
        s.setRequiresGradient(true);
        if (bias != null) {
            bias.setRequiresGradient(true);
        }
        NDArray value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            value = loss.perRun(a, c, s.exp());
            gc.backward(value.sum());
        }
        return new double[][] {value.toDoubleArray(), a.getGradient().toDoubleArray(), c.getGradient().toDoubleArray(),
            s.getGradient().toDoubleArray(), bias == null ? null : bias.getGradient().toDoubleArray()};
    }

    private static NDArray[] autograd(NDArray z1, NDArray z2, NDArray logScale, NDArray bias, Loss3 loss) {
        double[][] v = autogradValues(z1, z2, logScale, bias, loss);
        NDManager m = z1.getManager();
        NDArray[] out = new NDArray[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] == null ? null : m.create(v[i]);
        }
        return out;
    }

    /** Unit vectors, or raw vectors of norm around 2 (a tower without the sphere map). */
    private static NDArray embeddings(NDManager m, int b, boolean unit) {
        return embeddings(m, b, unit, 4);
    }

    private static NDArray embeddings(NDManager m, int b, boolean unit, int dim) {
        NDArray z = m.randomNormal(new Shape(2, b, dim), DataType.FLOAT64);
        return unit ? z.div(z.norm(new int[] {-1}, true)) : z;
    }

    private static void assertClose(NDArray actual, NDArray expected, String what) {
        assertClose(actual, expected.toDoubleArray(), what);
    }

    private static void assertClose(NDArray actual, double[] expected, String what) {
        double[] a = actual.toDoubleArray();
        assertThat(a).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as("%s, element %d", what, i).isCloseTo(expected[i], within(TOL * Math.max(1, Math.abs(expected[i]))));
        }
    }
}
