package org.gaplab.engine.config;

import org.gaplab.engine.loss.DirectionalInfoNce;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.loss.SigmoidPairLoss;
import org.gaplab.engine.loss.SymmetricInfoNce;
import org.gaplab.models.Checks;

/**
 * Which contrastive loss trains the dual encoder.
 *
 * @param kind the loss
 * @param sigmoidBias fixed logit bias of the sigmoid loss (ignored by the others)
 * @param closedForm use the closed-form gradient of symmetric InfoNCE when the model allows it
 *     (linear towers onto the sphere); false forces autograd (same result, slower)
 */
public record LossConfig(Kind kind, double sigmoidBias, boolean closedForm) {
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

    /** Validates. */
    public LossConfig {
        Checks.notNull(kind, "kind");
        Checks.check(Double.isFinite(sigmoidBias), "sigmoidBias", "must be finite");
    }

    /** The paper's loss. */
    public static LossConfig paperDefault() {
        return new LossConfig(Kind.SYMMETRIC_INFONCE, -10, true);
    }

    /** @return the loss object */
    public PairLoss build() {
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
