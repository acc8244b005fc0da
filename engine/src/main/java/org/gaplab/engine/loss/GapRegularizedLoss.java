package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import org.gaplab.models.Scalars;

/**
 * A contrastive loss plus an explicit cross-modal divergence penalty (the gap control of
 * docs/theory.md section 5):
 *
 * <pre>
 *   L = L_B(z1, z2) + lambda * D(z1 batch, z2 batch),
 * </pre>
 *
 * with L_B the symmetric InfoNCE (or another pair loss) and D an {@link MmdPenalty} or a
 * {@link CentroidGapPenalty}. lambda = 0 gives L_B exactly. The reported training loss is L; its
 * parts ({@link #perRunWithParts}, {@link LossGradient#parts}) are {@code contrastive} = L_B and {@code penalty} = D (unweighted), so
 * {@code L = contrastive + lambda * penalty}.
 */
public final class GapRegularizedLoss implements PairLoss {
    private final PairLoss base;
    private final CrossModalPenalty penalty;
    private final double lambda;

    /**
     * @param base the contrastive loss
     * @param penalty the divergence D
     * @param lambda its weight, >= 0
     */
    public GapRegularizedLoss(PairLoss base, CrossModalPenalty penalty, double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("gapWeight: must be a finite number >= 0, got " + lambda);
        }
        this.base = base;
        this.penalty = penalty;
        this.lambda = lambda;
    }

    /** Names of the parts: the contrastive term L_B and the penalty D. */
    public static final String CONTRASTIVE = "contrastive";
    /** @see #CONTRASTIVE */
    public static final String PENALTY = "penalty";

    @Override
    public NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale) {
        return base.perRun(z1, z2, logitScale).add(Scalars.mul(penalty.perRun(z1, z2), lambda));
    }

    @Override
    public LossValue perRunWithParts(NDArray z1, NDArray z2, NDArray logitScale) {
        NDArray contrastive = base.perRun(z1, z2, logitScale);
        NDArray d = penalty.perRun(z1, z2);
        return new LossValue(contrastive.add(Scalars.mul(d, lambda)), parts(contrastive, d));
    }

    private static java.util.Map<String, NDArray> parts(NDArray contrastive, NDArray penalty) {
        java.util.Map<String, NDArray> m = new java.util.LinkedHashMap<>();
        m.put(CONTRASTIVE, contrastive);
        m.put(PENALTY, penalty);
        return m;
    }

    /** Closed form when both the contrastive loss and the penalty have one (every built-in penalty has one). */
    @Override
    public boolean hasEmbeddingGradient() {
        return base.hasEmbeddingGradient() && penalty.hasGradient();
    }

    @Override
    public LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, GradientRequest request) {
        LossGradient g = base.valueAndGradient(z1, z2, logitScale, request);
        ai.djl.ndarray.NDList p = penalty.valueAndGradient(z1, z2);
        if (p == null) {
            throw new UnsupportedOperationException(penalty + " has no closed-form gradient; use autograd");
        }
        return new LossGradient(g.loss().add(p.get(0).mul(lambda)), g.gradZ1().add(p.get(1).mul(lambda)),
                g.gradZ2().add(p.get(2).mul(lambda)), g.gradLogScale(), g.gradBias(), parts(g.loss(), p.get(0)));
    }

    @Override
    public String toString() {
        return base + " + " + lambda + " x " + penalty;
    }
}
