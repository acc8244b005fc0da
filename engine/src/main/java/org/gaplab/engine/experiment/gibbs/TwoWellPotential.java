package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;

import org.gaplab.core.Checks;

/**
 * The authors' two-well alignment potential on S^2 (docs/theory.md section 4):
 *
 * <pre>
 *   U(z) = -(1/kappa) log( w exp(kappa <z, m1>) + (1 - w) exp(kappa <z, m2>) ),
 * </pre>
 *
 * a soft minimum of the two wells' similarities. Since {@code <z, m> <= 1}, {@code U >= -1}, which
 * Monte Carlo weights {@code exp(-(U + 1)/tau) <= 1} rely on.
 *
 * @param kappa sharpness, > 0 (12)
 * @param weight w in (0, 1) (0.5)
 * @param m1 first well, a unit vector of R^3 (normalised here)
 * @param m2 second well, a unit vector of R^3 (normalised here)
 */
public record TwoWellPotential(double kappa, double weight, double[] m1, double[] m2) {
    /** Validates and normalises the wells. */
    public TwoWellPotential {
        Checks.positive(kappa, "kappa");
        Checks.check(weight > 0 && weight < 1, "weight", "must be in (0, 1), got " + weight);
        m1 = unit(m1, "m1");
        m2 = unit(m2, "m2");
    }

    /** @return the paper's potential: kappa 12, w 0.5, m1 = (0,0,1), m2 = normalize(0.85, 0.15, -0.5) */
    public static TwoWellPotential paperDefault() {
        return new TwoWellPotential(12, 0.5, new double[] {0, 0, 1}, new double[] {0.85, 0.15, -0.50});
    }

    private static double[] unit(double[] m, String name) {
        Checks.check(m != null && m.length == 3, name, "must be a vector of R^3");
        double n = Math.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]);
        Checks.check(n > 0 && Double.isFinite(n), name, "must be non-zero and finite");
        return new double[] {m[0] / n, m[1] / n, m[2] / n};
    }

    /**
     * @param z points on S^2, {@code [..., 3]}
     * @return U(z), {@code [...]}, on z's manager
     */
    public NDArray value(NDArray z) {
        NDArray a = similarity(z, m1).mul(kappa).add(Math.log(weight));
        NDArray b = similarity(z, m2).mul(kappa).add(Math.log(1 - weight));
        NDArray mx = a.maximum(b);
        NDArray lse = mx.add(a.sub(mx).exp().add(b.sub(mx).exp()).log());
        return lse.div(-kappa);
    }

    /**
     * The Euclidean gradient of U (the formula above extended off the sphere):
     * {@code grad U(z) = -(p m1 + (1 - p) m2)}, {@code p = w e^{kappa<z,m1>} / (w e^{kappa<z,m1>} + (1-w) e^{kappa<z,m2>})}.
     *
     * @param z points {@code [..., 3]}
     * @return {@code [..., 3]}, on z's manager
     */
    public NDArray gradient(NDArray z) {
        NDArray a = similarity(z, m1).mul(kappa).add(Math.log(weight));
        NDArray b = similarity(z, m2).mul(kappa).add(Math.log(1 - weight));
        // p = 1 / (1 + e^{b - a}); b - a <= 2 kappa + |log-odds|, so e^{b - a} stays finite in float32
        NDArray p = b.subi(a).exp().addi(1).powi(-1).expandDims(-1);
        double[] diff = {m1[0] - m2[0], m1[1] - m2[1], m1[2] - m2[2]};
        NDArray dm = z.getManager().create(diff).toType(z.getDataType(), false);
        NDArray mm2 = z.getManager().create(m2).toType(z.getDataType(), false);
        return p.mul(dm).addi(mm2).negi();
    }

    /** @return U at one point, on the host */
    public double value(double x, double y, double z) {
        double a = kappa * (x * m1[0] + y * m1[1] + z * m1[2]) + Math.log(weight);
        double b = kappa * (x * m2[0] + y * m2[1] + z * m2[2]) + Math.log(1 - weight);
        double mx = Math.max(a, b);
        return -(mx + Math.log(Math.exp(a - mx) + Math.exp(b - mx))) / kappa;
    }

    /**
     * Whether each point lies within geodesic distance eps of the nearer well, as 1 or 0:
     * {@code min(acos<z,m1>, acos<z,m2>) <= eps}, i.e. {@code max(<z,m1>, <z,m2>) >= cos eps}.
     *
     * @param z points on S^2, {@code [..., 3]}
     * @param eps cap radius in radians
     * @return {@code [...]} in z's data type
     */
    public NDArray inCaps(NDArray z, double eps) {
        return similarity(z, m1).maximum(similarity(z, m2)).gte(Math.cos(eps)).toType(z.getDataType(), false);
    }

    /** {@code <z, m>} over the last axis. */
    static NDArray similarity(NDArray z, double[] m) {
        NDArray mm = z.getManager().create(m).toType(z.getDataType(), false);
        return z.mul(mm).sum(new int[] {-1});
    }
}
