package org.gaplab.engine.measure;

/**
 * The normalising constant of the sharpened partition field on the sphere (docs/theory.md section 4):
 * <pre>
 *   c_tau = int_{S^(d-1)} exp(&lt;z, w&gt; / tau) dw
 *         = |S^(d-2)| int_0^pi exp(cos(t) / tau) sin^(d-2)(t) dt
 *         = (2 pi)^(d/2) kappa^(1 - d/2) I_(d/2 - 1)(kappa),   kappa = 1/tau,
 * </pre>
 * in surface measure (the base measure of the entropies). On {@code S^1}: {@code 2 pi I_0(1/tau)},
 * ln c_tau = 13.88 at tau = 0.07; on {@code S^2}: {@code 4 pi sinh(kappa) / kappa}. Computed as the
 * one-dimensional integral in log space (max-shifted trapezoid rule, spectrally accurate here),
 * so it neither overflows at small tau nor underflows in high dimension.
 */
public final class PartitionConstant {
    private static final int STEPS = 100_000;

    private PartitionConstant() {}

    /**
     * @param d number of coordinates (the sphere is {@code S^(d-1)}), d >= 2
     * @param tau temperature > 0
     * @return {@code ln c_tau}
     */
    public static double logCTau(int d, double tau) {
        if (d < 2) {
            throw new IllegalArgumentException("c_tau needs d >= 2, got " + d);
        }
        if (!(tau > 0) || !Double.isFinite(tau)) {
            throw new IllegalArgumentException("tau must be > 0, got " + tau);
        }
        double kappa = 1 / tau;
        int power = d - 2;
        double h = Math.PI / STEPS;
        double[] logTerms = new double[STEPS + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= STEPS; i++) {
            double t = i * h;
            double s = Math.sin(t);
            double lt = kappa * Math.cos(t) + (power == 0 ? 0 : (s > 0 ? power * Math.log(s) : Double.NEGATIVE_INFINITY));
            if (i == 0 || i == STEPS) {
                lt += Math.log(0.5);
            }
            logTerms[i] = lt;
            max = Math.max(max, lt);
        }
        double sum = 0;
        for (double lt : logTerms) {
            sum += Math.exp(lt - max);
        }
        return SpecialFunctions.logSphereArea(d - 2) + max + Math.log(sum * h);
    }
}
