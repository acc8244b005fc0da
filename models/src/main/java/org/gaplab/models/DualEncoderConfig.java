package org.gaplab.models;

import org.gaplab.core.Checks;

/**
 * Architecture of a dual encoder: two towers with independent parameters and a temperature.
 *
 * @param tower1 encoder f of the first modality (x)
 * @param tower2 encoder g of the second modality (y)
 * @param temperature fixed tau or learnable logit scale
 * @param alignedStart whether tower 2 starts from tower 1's initial parameters (an aligned start: the two
 *     embeddings differ at step 0 only through the data); needs two identical tower configs. False by
 *     default: each tower draws its own initialisation
 */
public record DualEncoderConfig(TowerConfig tower1, TowerConfig tower2, TemperatureConfig temperature, boolean alignedStart) {
    /** Validates. */
    public DualEncoderConfig {
        Checks.notNull(tower1, "tower1");
        Checks.notNull(tower2, "tower2");
        Checks.notNull(temperature, "temperature");
        Checks.check(tower1.outputDim() == tower2.outputDim(), "tower2.outputDim",
                "both towers must embed into the same dimension, got " + tower1.outputDim() + " and "
                        + tower2.outputDim());
        Checks.check(tower1.output() == tower2.output(), "tower2.output",
                "both towers must map onto the same manifold, got " + tower1.output() + " and " + tower2.output());
        Checks.check(!alignedStart || tower1.equals(tower2), "alignedStart",
                "an aligned start needs two identical towers, got " + tower1 + " and " + tower2);
    }

    /** Independent starts (the default): each tower draws its own initial parameters. */
    public DualEncoderConfig(TowerConfig tower1, TowerConfig tower2, TemperatureConfig temperature) {
        this(tower1, tower2, temperature, false);
    }

    /** The paper's modality-gap model: two bias-free 2x2 linear maps onto S^1, tau = 0.07. */
    public static DualEncoderConfig paperDefault() {
        return new DualEncoderConfig(TowerConfig.linear(2, 2), TowerConfig.linear(2, 2), TemperatureConfig.fixed(0.07));
    }

    /** @return a copy with another temperature */
    public DualEncoderConfig withTemperature(TemperatureConfig t) {
        return new DualEncoderConfig(tower1, tower2, t, alignedStart);
    }

    /** @return a copy with other towers */
    public DualEncoderConfig withTowers(TowerConfig t1, TowerConfig t2) {
        return new DualEncoderConfig(t1, t2, temperature, alignedStart);
    }

    /** @return a copy with an aligned start (true) or independent starts (false) */
    public DualEncoderConfig withAlignedStart(boolean aligned) {
        return new DualEncoderConfig(tower1, tower2, temperature, aligned);
    }
}
