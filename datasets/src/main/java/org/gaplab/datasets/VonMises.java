package org.gaplab.datasets;

import ai.djl.ndarray.NDArray;
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
 * {@code theta = sign(u3 - 1/2) acos(f)}. All {@link #ROUNDS} proposals for all n samples are
 * drawn at once and each sample keeps its first accepted one. The acceptance rate is at least
 * about 0.66 for every kappa, so a sample is left without an accepted proposal with probability
 * below 1e-7; those few are redrawn in further vectorised passes until none is left (one host
 * check per pass), which keeps the law exact.
 */
public final class VonMises {
    /** Proposals per sample in one vectorised pass. */
    public static final int ROUNDS = 16;

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
        if (!(kappa > 0) || !Double.isFinite(kappa)) {
            throw new IllegalArgumentException("kappa: must be > 0, got " + kappa);
        }
        double t = 1 + Math.sqrt(1 + 4 * kappa * kappa);
        double rho = (t - Math.sqrt(2 * t)) / (2 * kappa);
        double r = (1 + rho * rho) / (2 * rho);
        try (NDManager scope = manager.newSubManager()) {
            NDArray theta = scope.zeros(new Shape(n), dataType);
            NDArray pending = scope.ones(new Shape(n), DataType.BOOLEAN);
            while (true) {
                NDArray[] pass = onePass(scope, kappa, r, n, dataType);
                NDArray take = pass[1].logicalAnd(pending);
                theta = take.toType(dataType, false).mul(pass[0]).add(theta.mul(take.logicalNot().toType(dataType, false)));
                pending = pending.logicalAnd(pass[1].logicalNot());
                // Host check: one per pass, and a second pass is needed with probability < 1e-7 * n.
                if (!pending.any().getBoolean()) {
                    break;
                }
            }
            theta.attach(manager);
            return theta;
        }
    }

    /** One vectorised pass: returns {first accepted proposal per sample, whether one was accepted}. */
    private static NDArray[] onePass(NDManager m, double kappa, double r, int n, DataType dt) {
        Shape shape = new Shape(ROUNDS, n);
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
