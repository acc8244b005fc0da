package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

import org.gaplab.core.Checks;
import org.gaplab.models.Scalars;

/**
 * Unimodal InfoNCE with N negatives (docs/theory.md section 2; Cai et al. 2026, the finite-batch loss
 * l_N; Oord et al. 2018):
 *
 * <pre>
 *   l_N = 1/B sum_i [ -s(z_i, v_i)/tau + log( exp(s(z_i, v_i)/tau) + sum_{j=1..N} exp(s(z_i, w_j)/tau) ) ]
 * </pre>
 *
 * for anchors z_i, their positives v_i and negatives w_1..w_N shared by all anchors of a run.
 * Each term is the cross-entropy of class 0 over the logits {@code [s_pos, s_1..s_N] / tau}, so it
 * is computed as {@code -logSoftmax(...)[0]}, which is stable without a logsumexp op.
 */
public final class UnimodalInfoNce {
    private final Critic critic;
    private final double tau;

    /**
     * @param critic the critic s
     * @param tau the temperature, > 0
     */
    public UnimodalInfoNce(Critic critic, double tau) {
        Checks.notNull(critic, "critic");
        Checks.positive(tau, "tau");
        this.critic = critic;
        this.tau = tau;
    }

    /** @return the critic */
    public Critic critic() {
        return critic;
    }

    /** @return the temperature */
    public double tau() {
        return tau;
    }

    /**
     * @param z anchors {@code [K, B, d]}
     * @param v positives {@code [K, B, d]}
     * @param w negatives {@code [K, N, d]}
     * @return l_N of each run, {@code [K]}
     */
    public NDArray perRun(NDArray z, NDArray v, NDArray w) {
        NDArray pos = critic.paired(z, v).expandDims(2);                        // [K, B, 1]
        NDArray logits = Scalars.div(NDArrays.concat(new ai.djl.ndarray.NDList(pos, critic.all(z, w)), 2), tau);
        NDArray logp = logits.logSoftmax(2).get(":, :, 0");                     // [K, B]
        return logp.mean(new int[] {1}).neg();
    }

    @Override
    public String toString() {
        return "unimodal InfoNCE, " + critic + ", tau " + tau;
    }
}
