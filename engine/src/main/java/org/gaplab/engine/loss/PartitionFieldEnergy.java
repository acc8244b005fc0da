package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

import org.gaplab.core.Checks;
import org.gaplab.models.Scalars;

/**
 * The large-batch limit of unimodal InfoNCE (docs/theory.md section 3, derived form), with the
 * partition field estimated on a sample of negatives:
 *
 * <pre>
 *   L_inf = (1/tau) E_pairs[ -s(z, v) ] + E_z[ log (K_tau rho)(z) ],
 *   (K_tau rho)(z) = E_{w ~ rho}[ exp(s(z, w)/tau) ]  ~  1/N sum_j exp(s(z, w_j)/tau).
 * </pre>
 *
 * {@code l_N - log N} of {@link UnimodalInfoNce} converges to this value as N grows (the positive's
 * own term inside the log is O(1/N)). The log-mean-exp is composed as
 * {@code m + log(mean(exp(x - m)))} with the row maximum m, since DJL has no logsumexp.
 */
public final class PartitionFieldEnergy {
    private final Critic critic;
    private final double tau;

    /**
     * @param critic the critic s
     * @param tau the temperature, > 0
     */
    public PartitionFieldEnergy(Critic critic, double tau) {
        Checks.notNull(critic, "critic");
        Checks.positive(tau, "tau");
        this.critic = critic;
        this.tau = tau;
    }

    /**
     * @param z anchors {@code [K, B, d]}
     * @param v positives {@code [K, B, d]}
     * @param w a sample of rho that estimates the partition field, {@code [K, N, d]}
     * @return L_inf of each run, {@code [K]}
     */
    public NDArray perRun(NDArray z, NDArray v, NDArray w) {
        NDArray alignment = Scalars.div(critic.paired(z, v).mean(new int[] {1}), -tau);   // [K]
        NDArray logPartition = logMeanExp(Scalars.div(critic.all(z, w), tau));            // [K, B]
        return alignment.add(logPartition.mean(new int[] {1}));
    }

    /** {@code log mean_j exp(x_kij)} over the last axis, stably. */
    static NDArray logMeanExp(NDArray x) {
        // subtracting and adding back the row max changes neither value nor gradient; it keeps exp finite
        NDArray m = x.max(new int[] {2}, true);
        return x.sub(m).exp().mean(new int[] {2}).log().add(m.squeeze(2));
    }

    @Override
    public String toString() {
        return "partition-field energy L_inf, " + critic + ", tau " + tau;
    }
}
