package org.gaplab.datasets;

import org.gaplab.core.Checks;

/**
 * The paper's circle data with latent misalignment (docs/theory.md section 7): latent
 * {@code theta ~ w vM(mean1, kappa) + (1 - w) vM(mean2, kappa)}, partner
 * {@code theta2 = wrap(theta + sigma N(0,1))}, features {@code (cos, sin) + featureNoise N(0, I2)}
 * for each modality.
 *
 * @param sigma latent misalignment between the modalities (conditional heterogeneity)
 * @param weight mixture weight w of the first component
 * @param mean1 mean angle of the first component
 * @param mean2 mean angle of the second component
 * @param kappa von Mises concentration of both components
 * @param featureNoise standard deviation of the additive feature noise
 */
public record CircleMixtureConfig(double sigma, double weight, double mean1, double mean2, double kappa,
        double featureNoise) implements SourceConfig {
    /** Name of this source in config files. */
    public static final String KIND = "circle";

    /** Validates. */
    public CircleMixtureConfig {
        Checks.check(Double.isFinite(sigma) && sigma >= 0, "sigma", "must be >= 0, got " + sigma);
        Checks.check(weight >= 0 && weight <= 1, "weight", "must be in [0, 1], got " + weight);
        Checks.check(Double.isFinite(mean1), "mean1", "must be finite");
        Checks.check(Double.isFinite(mean2), "mean2", "must be finite");
        Checks.check(Double.isFinite(kappa) && kappa > 0, "kappa", "must be > 0, got " + kappa);
        Checks.check(Double.isFinite(featureNoise) && featureNoise >= 0, "featureNoise", "must be >= 0, got " + featureNoise);
    }

    /** The paper's constants with the given misalignment. */
    public static CircleMixtureConfig paper(double sigma) {
        return new CircleMixtureConfig(sigma, 0.7, 0, Math.PI, 6, 0.02);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public PairedSource build() {
        return new CircleMixture(this);
    }
}
