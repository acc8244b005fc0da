package org.gaplab.engine.measure;

import java.util.Locale;

/**
 * Which law of modality 1 the two-sample statistics (energy distance, MMD^2, their permutation
 * tests, Wang-Isola uniformity) compare with modality 2 when pairs are many-to-one (several
 * captions per image). With one-to-one pairs both read the same.
 */
public enum Marginal {
    /**
     * The caption-weighted image marginal: an image drawn as often as it has captions, i.e. the
     * law of {@code z1[partner[j]]} over captions j (the paper's COCO script; the default).
     */
    WEIGHTED,
    /** Every image once, whatever its number of captions. */
    UNIQUE;

    /** @return the option value, e.g. {@code weighted} */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return a one-line statement of the law, for reports */
    public String describe() {
        return this == WEIGHTED ? "caption-weighted image marginal (z1[pairs]: an image counts once per caption)"
                : "unique images (each row of modality 1 once)";
    }
}
