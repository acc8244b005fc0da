package org.gaplab.datasets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Von Mises samples on the device: Best and Fisher's (1979) wrapped-Cauchy rejection sampler,
 * vectorised over a fixed number of rounds, with an exact fallback.
 *
 * <p>With {@code r = (1 + rho^2) / (2 rho)}, {@code rho = (t - sqrt(2t)) / (2 kappa)},
 * {@code t = 1 + sqrt(1 + 4 kappa^2)}: draw {@code u1, u2, u3 ~ U(0,1)}, set
 * {@code z = cos(pi u1)}, {@code f = (1 + r z) / (r + z)}, {@code c = kappa (r - f)}; accept when
 * {@code c (2 - c) > u2} or {@code ln(c / u2) + 1 - c >= 0}; then
 * {@code theta = sign(u3 - 1/2) acos(f)}. A first vectorised pass draws {@link #FIRST_ROUNDS}
 * proposals for each of the n samples and each sample keeps its first accepted one. The acceptance
 * rate is at least about 0.66 for every kappa (0.69 at kappa = 6), so about 1 % of the samples
 * (0.34^4) are left without one; only those are redrawn, {@link #REFILL_ROUNDS} proposals each, in
 * compact passes until none is left (one host count per pass), which keeps the law exact. Drawing
 * 4 rounds for everyone instead of 16 makes sampling about 3.5 times cheaper.
 */
public final class VonMises {
    /** Proposals per sample in the first pass over all n samples. */
    public static final int FIRST_ROUNDS = 4;
    /** Proposals per sample in the passes over the samples still pending. */
    public static final int REFILL_ROUNDS = 16;

    private VonMises() {}

    /**
     * Draws n angles from vM(0, kappa) in (-pi, pi], using the engine generator as seeded by the
     * caller.
     *
     * @param manager owner and device
     * @param kappa concentration, > 0
     * @param n number of samples
     * @param dataType float32 or float64
     * @return {@code [n]} angles
     */
    public static NDArray sample(NDManager manager, double kappa, int n, DataType dataType) {
        return sample(manager, kappa, n, dataType, FIRST_ROUNDS);
    }

    /** {@link #sample(NDManager, double, int, DataType)} with another first-pass round count (tests). */
    static NDArray sample(NDManager manager, double kappa, int n, DataType dataType, int firstRounds) {
        if (!(kappa > 0) || !Double.isFinite(kappa)) {
            throw new IllegalArgumentException("kappa: must be > 0, got " + kappa);
        }
        double t = 1 + Math.sqrt(1 + 4 * kappa * kappa);
        double rho = (t - Math.sqrt(2 * t)) / (2 * kappa);
        double r = (1 + rho * rho) / (2 * rho);
        try (NDManager scope = manager.newSubManager()) {
            NDArray[] first = onePass(scope, kappa, r, n, firstRounds, dataType);
            NDArray theta = first[0];
            NDArray pending = first[1].logicalNot();
            // Host count: one per pass; a third pass is needed with probability about n * 0.34^20.
            long m = pending.toType(DataType.INT64, false).sum().getLong();
            while (m > 0) {
                NDArray[] refill = onePass(scope, kappa, r, (int) m, REFILL_ROUNDS, dataType);
                // the k-th pending sample (in order) takes the k-th refill proposal
                NDArray slot = pending.toType(DataType.INT64, false).cumSum(0).sub(1).clip(0, m - 1);
                NDArray ok = refill[1].get(slot).logicalAnd(pending);
                theta = NDArrays.where(ok, refill[0].get(slot), theta);
                pending = pending.logicalAnd(ok.logicalNot());
                m = pending.toType(DataType.INT64, false).sum().getLong();
            }
            theta.attach(manager);
            return theta;
        }
    }

    /** One vectorised pass: returns {first accepted proposal per sample, whether one was accepted}. */
    private static NDArray[] onePass(NDManager m, double kappa, double r, int n, int rounds, DataType dt) {
        Shape shape = new Shape(rounds, n);
        NDArray u1 = m.randomUniform(0, 1, shape, dt);
        NDArray u2 = m.randomUniform(0, 1, shape, dt).maximum(1e-30);
        NDArray u3 = m.randomUniform(0, 1, shape, dt);
        NDArray z = u1.mul(Math.PI).cos();
        NDArray f = z.mul(r).add(1).div(z.add(r));
        NDArray c = f.neg().add(r).mul(kappa);
        NDArray quick = c.mul(c.neg().add(2)).sub(u2).gt(0);
        NDArray slow = c.div(u2).log().add(1).sub(c).gte(0);
        NDArray accepted = quick.logicalOr(slow);
        NDArray proposal = u3.sub(0.5).sign().mul(f.clip(-1, 1).acos());
        NDArray acceptedNum = accepted.toType(dt, false);
        // The first accepted round is where the running count of acceptances first reaches 1.
        NDArray first = acceptedNum.mul(acceptedNum.cumSum(0).eq(1).toType(dt, false));
        NDArray value = first.mul(proposal).sum(new int[] {0});
        NDArray any = acceptedNum.sum(new int[] {0}).gt(0);
        return new NDArray[] {value, any};
    }

    /** Wraps angles to (-pi, pi]. */
    public static NDArray wrap(NDArray angle) {
        NDArray shifted = angle.add(Math.PI).div(2 * Math.PI).floor().mul(2 * Math.PI);
        return angle.sub(shifted);
    }
}
