package org.gaplab.engine.experiment;

import ai.djl.ndarray.NDArray;

/**
 * Kernel density estimate among particles on S^2, for K stacked runs ({@code z: [K, M, 3]}).
 */
public final class SphereKde {
    /** Dot products are clamped to {@code [-1 + CLAMP, 1 - CLAMP]} before acos. */
    public static final double CLAMP = 1e-6;

    private SphereKde() {}

    /**
     * The training objective's unnormalised geodesic Gaussian KDE (THEORY.md section 7):
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
        NDArray d = z.batchMatMul(z.transpose(0, 2, 1)).clip(-1 + CLAMP, 1 - CLAMP).acos();
        return d.square().mul(-1 / (2 * h * h)).exp().mean(new int[] {2}).add(1e-12).log();
    }
}
