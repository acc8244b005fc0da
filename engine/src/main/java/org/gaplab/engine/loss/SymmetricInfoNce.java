package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import org.gaplab.models.Scalars;

/**
 * Symmetric multimodal InfoNCE, the CLIP loss (docs/theory.md section 2; Radford et al. 2021; Cai et al.
 * 2026, eq. for L_B):
 *
 * <pre>
 *   S_ij = s(f(x_i), g(y_j)) / tau,
 *   L_B  = 1/2 [ CE_rows(S, diag) + CE_rows(S^T, diag) ]
 *        = 1/(2B) sum_i [ -2 S_ii + logsumexp_j S_ij + logsumexp_j S_ji ].
 * </pre>
 *
 * The cosine critic {@code s(z, w) = <z, w>} assumes unit-norm embeddings. For identical embeddings
 * or tau to infinity the loss is ln B.
 */
public final class SymmetricInfoNce implements PairLoss {
    @Override
    public NDArray perRun(NDArray z1, NDArray z2, NDArray logitScale) {
        long b = z1.getShape().get(1);
        NDArray s = Logits.cosine(z1, z2, logitScale);
        // row-wise log-softmax gives CE over j for each anchor i; column-wise gives the transpose.
        NDArray both = s.logSoftmax(2).add(s.logSoftmax(1));
        return Scalars.mul(both.diagonal(0, 1, 2).sum(new int[] {1}), -0.5 / b);
    }

    @Override
    public boolean hasEmbeddingGradient() {
        return true;
    }

    /**
     * Closed form: {@code dL/dS = (P + Q - 2I) / (2B)} with P and Q the row and column softmax of
     * the logits. Unit embeddings under a safe scale use {@link ClosedFormSymmetricInfoNce} (one
     * exponential pass serves both directions); others find exact maxima first.
     */
    @Override
    public LossGradient valueAndGradient(NDArray z1, NDArray z2, NDArray logitScale, GradientRequest request) {
        if (request.unitShift()) {
            ClosedFormSymmetricInfoNce.Result r = ClosedFormSymmetricInfoNce.compute(z1, z2, logitScale,
                    request.scaleGradient(), request.rowBlock());
            return new LossGradient(r.loss(), r.gradZ1(), r.gradZ2(), r.gradLogScale(), null);
        }
        double w = 0.5 / z1.getShape().get(1);
        return BlockedLogits.softmax(z1, z2, logitScale, w, w, request);
    }

    @Override
    public String toString() {
        return "symmetric InfoNCE (CLIP)";
    }
}
