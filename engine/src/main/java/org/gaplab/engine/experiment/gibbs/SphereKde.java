package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;

/**
 * Kernel density estimate among particles on S^2, for K stacked runs ({@code z: [K, M, 3]}).
 */
public final class SphereKde {
    /** Dot products are clamped to {@code [-1 + CLAMP, 1 - CLAMP]} before acos. */
    public static final double CLAMP = 1e-6;

    private SphereKde() {}

    /**
     * The training objective's unnormalised geodesic Gaussian KDE (docs/theory.md section 7):
     *
     * <pre>
     *   log rho_hat_i = log( 1/M sum_j exp(-d_geo(z_i, z_j)^2 / (2 h^2)) + 1e-12 ),
     *   d_geo = acos(clamp(<z_i, z_j>, -1 + 1e-6, 1 - 1e-6)).
     * </pre>
     *
     * The clamp keeps acos finite and, since self-pairs sit on the clamp boundary, gives them a
     * zero gradient instead of NaN.
     *
     * @param z unit vectors {@code [K, M, 3]}
     * @param h bandwidth in radians
     * @return {@code [K, M]}
     */
    public static NDArray logGeodesicKde(NDArray z, double h) {
        return logGeodesicKde(z, h, CLAMP);
    }

    /** {@link #logGeodesicKde(NDArray, double)} with another clamp (tests compare gradients with it). */
    static NDArray logGeodesicKde(NDArray z, double h, double clamp) {
        NDArray d = z.batchMatMul(z.transpose(0, 2, 1)).clip(-1 + clamp, 1 - clamp).acos();
        return d.square().mul(-1 / (2 * h * h)).exp().mean(new int[] {2}).add(1e-12).log();
    }

    /**
     * The per-run mean of {@link #logGeodesicKde} and its gradient with respect to z, in closed
     * form (no autograd graph over the {@code [K, M, M]} pairs). With {@code c_ij = <z_i, z_j>}
     * clamped as above, {@code d_ij = acos(c_ij)}, {@code k_ij = exp(-d_ij^2 / (2 h^2))} and
     * {@code rho_i = 1/M sum_j k_ij + 1e-12},
     *
     * <pre>
     *   E        = 1/M sum_i log rho_i,
     *   dE/dz_i  = 1/(M^2 h^2) sum_{j != i} S_ij (1/rho_i + 1/rho_j) z_j,   S_ij = k_ij d_ij / sin(d_ij),
     * </pre>
     *
     * since {@code d d_ij / d c_ij = -1 / sin(d_ij)} and S is symmetric. The pair terms are one
     * pass over {@code [K, M, M]} per elementwise op (11 in all) and one matrix product with the six
     * columns {@code [z, z / rho]}.
     *
     * <p>Self-pairs: {@code <z_i, z_i> = 1} always sits on the clamp, where autograd through the
     * clamp gives zero; their term (a constant {@code S_0 = k(d_0) d_0 / sin d_0}, {@code d_0 =
     * acos(1 - CLAMP)}) is subtracted, so the gradient equals autograd's. Distinct pairs closer than
     * {@code d_0} (about 1.4e-3 rad) also sit on the clamp; for them this uses the continuous limit
     * {@code S -> k} (the gradient of the unclamped kernel, which is smooth there) where autograd
     * would give zero, so two particles that nearly coincide still repel.
     *
     * @param z unit vectors {@code [K, M, 3]}
     * @param h bandwidth in radians
     * @return E {@code [K]} and dE/dz {@code [K, M, 3]}, on z's manager
     */
    public static ValueAndGradient meanLogGeodesicKdeAndGradient(NDArray z, double h) {
        long m = z.getShape().get(1);
        NDArray d = z.batchMatMul(z.transpose(0, 2, 1)).clip(-1 + CLAMP, 1 - CLAMP).acos();
        NDArray kernel = d.square().muli(-1 / (2 * h * h)).exp();
        NDArray rho = kernel.sum(new int[] {2}, true).muli(1.0 / m).addi(1e-12);      // [K, M, 1]
        NDArray value = rho.log().squeeze(2).mean(new int[] {1});
        NDArray s = d.divi(d.sin()).muli(kernel);                                      // S = k d / sin d
        NDArray invRho = rho.pow(-1);
        NDArray p = s.batchMatMul(z.concat(z.mul(invRho), 2));                        // [K, M, 6]
        double d0 = Math.acos(1 - CLAMP);
        double s0 = Math.exp(-d0 * d0 / (2 * h * h)) * d0 / Math.sin(d0);
        NDArray grad = p.get(":, :, :3").muli(invRho).addi(p.get(":, :, 3:"))
                .subi(z.mul(invRho.mul(2 * s0)))
                .muli(1 / (m * (double) m * h * h));
        return new ValueAndGradient(value, grad);
    }

    /**
     * A per-run value and its gradient.
     *
     * @param value {@code [K]}
     * @param gradient with the shape of the input
     */
    public record ValueAndGradient(NDArray value, NDArray gradient) {}
}
