package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import org.gaplab.models.Scalars;

/**
 * One-directional multimodal InfoNCE, for ablations of the symmetric loss:
 *
 * <pre>
 *   X_TO_Y: L = 1/B sum_i [ -S_ii + logsumexp_j S_ij ]   (each x retrieves its y)
 *   Y_TO_X: L = 1/B sum_j [ -S_jj + logsumexp_i S_ij ]   (each y retrieves its x)
 * </pre>
 *
 * with {@code S_ij = <f(x_i), g(y_j)> / tau}. Their mean is {@link SymmetricInfoNce}.
 */
public final class DirectionalInfoNce implements PairLoss {
    /** Which side is the anchor. */
    public enum Direction {
        /** Anchors are modality 1. */
        X_TO_Y,
        /** Anchors are modality 2. */
        Y_TO_X
    }

    private final Direction direction;

    /** @param direction which side is the anchor */
    public DirectionalInfoNce(Direction direction) {
        this.direction = direction;
    }

    @Override
    public NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale) {
        long b = z1.getShape().get(1);
        NDArray s = Logits.cosine(z1, z2, logitScale);
        NDArray logp = s.logSoftmax(direction == Direction.X_TO_Y ? 2 : 1);
        return Scalars.mul(logp.diagonal(0, 1, 2).sum(new int[] {1}), -1.0 / b);
    }

    @Override
    public boolean hasEmbeddingGradient() {
        return true;
    }

    /** Closed form: {@code dL/dS = (P - I) / B} (x to y) or {@code (Q - I) / B} (y to x), P and Q the row and column softmax. */
    @Override
    public LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, GradientRequest request) {
        double w = 1.0 / z1.getShape().get(1);
        return direction == Direction.X_TO_Y ? BlockedLogits.softmax(z1, z2, logitScale, w, 0, request)
                : BlockedLogits.softmax(z1, z2, logitScale, 0, w, request);
    }

    @Override
    public String toString() {
        return "InfoNCE " + direction;
    }
}
