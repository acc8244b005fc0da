package org.gaplab.models;

import org.gaplab.core.Checks;

/**
 * Temperature of the contrastive critic (docs/theory.md section 1).
 *
 * @param tau the temperature, or the initial one when learnable (logit scale starts at ln(1/tau))
 * @param learnable whether the logit scale {@code s = ln(1/tau)} is trained (CLIP-style)
 * @param maxLogitScale the learnable scale is clamped to {@code s <= ln(maxLogitScale)} after
 *     every step (CLIP: 100); it is never weight-decayed
 */
public record TemperatureConfig(double tau, boolean learnable, double maxLogitScale) {
    /** Validates. */
    public TemperatureConfig {
        Checks.positive(tau, "tau");
        Checks.check(Double.isFinite(maxLogitScale) && maxLogitScale >= 1, "maxLogitScale",
                "must be >= 1, got " + maxLogitScale);
        Checks.check(!learnable || 1 / tau <= maxLogitScale, "tau",
                "initial logit scale 1/tau = " + (1 / tau) + " exceeds maxLogitScale " + maxLogitScale);
    }

    /** A fixed temperature. */
    public static TemperatureConfig fixed(double tau) {
        return new TemperatureConfig(tau, false, 100);
    }

    /** CLIP's learnable logit scale, starting at 1/0.07 and clamped at 100. */
    public static TemperatureConfig clip() {
        return new TemperatureConfig(0.07, true, 100);
    }
}
