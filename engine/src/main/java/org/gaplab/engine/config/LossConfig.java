package org.gaplab.engine.config;

import org.gaplab.core.Checks;
import org.gaplab.engine.loss.CentroidGapPenalty;
import org.gaplab.engine.loss.DirectionalInfoNce;
import org.gaplab.engine.loss.GapRegularizedLoss;
import org.gaplab.engine.loss.MmdPenalty;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.loss.SigmoidPairLoss;
import org.gaplab.engine.loss.SymmetricInfoNce;

/**
 * Which contrastive loss trains the dual encoder.
 *
 * @param kind the loss
 * @param sigmoidBias fixed logit bias of the sigmoid loss (ignored by the others)
 * @param closedForm key {@code loss.closed_form}: take the embedding split when the loss (with its
 *     penalty, if any) has a closed-form {@code dL/dz} (every built-in pair loss and penalty has
 *     one); each tower then back-propagates by its own route
 *     ({@code step.GradientPlan.TowerRoute}). False forces autograd through the whole graph (same
 *     result up to rounding, slower). Applies to every loss, not only symmetric InfoNCE.
 * @param gapPenalty optional cross-modal divergence D added to the loss (gap control)
 * @param gapWeight its weight lambda (ignored when {@code gapPenalty} is none)
 */
public record LossConfig(Kind kind, double sigmoidBias, boolean closedForm, GapPenalty gapPenalty, double gapWeight) {
    /** Available losses. */
    public enum Kind {
        /** Symmetric InfoNCE (CLIP), the paper's loss. */
        SYMMETRIC_INFONCE,
        /** InfoNCE with modality-1 anchors only. */
        INFONCE_X_TO_Y,
        /** InfoNCE with modality-2 anchors only. */
        INFONCE_Y_TO_X,
        /** SigLIP's pairwise sigmoid loss. */
        SIGMOID
    }

    /** The divergence of {@code lambda * D(z1 batch, z2 batch)}. */
    public enum GapPenalty {
        /** No penalty. */
        NONE,
        /** {@link MmdPenalty}: biased MMD^2, RBF kernel, median-heuristic bandwidth. */
        MMD,
        /** {@link CentroidGapPenalty}: squared distance between the batch centroids. */
        CENTROID
    }

    /** Validates. */
    public LossConfig {
        Checks.notNull(kind, "kind");
        Checks.check(Double.isFinite(sigmoidBias), "sigmoidBias", "must be finite");
        Checks.notNull(gapPenalty, "gapPenalty");
        Checks.check(Double.isFinite(gapWeight) && gapWeight >= 0, "gapWeight", "must be a finite number >= 0, got " + gapWeight);
    }

    /** A loss without gap penalty. */
    public LossConfig(Kind kind, double sigmoidBias, boolean closedForm) {
        this(kind, sigmoidBias, closedForm, GapPenalty.NONE, 0);
    }

    /** @return a copy with a gap penalty of weight lambda */
    public LossConfig withGapPenalty(GapPenalty penalty, double lambda) {
        return new LossConfig(kind, sigmoidBias, closedForm, penalty, lambda);
    }

    /** @return whether a gap penalty with a positive weight is on */
    public boolean penalized() {
        return gapPenalty != GapPenalty.NONE && gapWeight > 0;
    }

    /**
     * The one rule for the training route, used by the trainer and by memory admission: the
     * embedding split when {@code closed_form} is set and the loss has a closed-form dL/dz, else
     * whole-graph autograd.
     *
     * @return whether training takes the embedding split
     */
    public boolean embeddingSplit() {
        return closedForm && build().hasEmbeddingGradient();
    }

    /** The paper's loss. */
    public static LossConfig paperDefault() {
        return new LossConfig(Kind.SYMMETRIC_INFONCE, -10, true);
    }

    /** @return the loss object, with the gap penalty when one is on */
    public PairLoss build() {
        PairLoss base = contrastive();
        if (!penalized()) {
            return base;
        }
        return new GapRegularizedLoss(base, gapPenalty == GapPenalty.MMD ? new MmdPenalty() : new CentroidGapPenalty(), gapWeight);
    }

    private PairLoss contrastive() {
        switch (kind) {
            case INFONCE_X_TO_Y:
                return new DirectionalInfoNce(DirectionalInfoNce.Direction.X_TO_Y);
            case INFONCE_Y_TO_X:
                return new DirectionalInfoNce(DirectionalInfoNce.Direction.Y_TO_X);
            case SIGMOID:
                return new SigmoidPairLoss(sigmoidBias);
            case SYMMETRIC_INFONCE:
            default:
                return new SymmetricInfoNce();
        }
    }
}
