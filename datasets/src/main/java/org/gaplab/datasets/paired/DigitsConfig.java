package org.gaplab.datasets.paired;

import org.gaplab.core.Checks;
import org.gaplab.datasets.PairedSource;
import org.gaplab.datasets.SourceConfig;

/**
 * The bundled UCI optical handwritten digits as paired data ({@code data.kind: digits}; see
 * {@link Digits}): each 8x8 image is split into two views that act as the two modalities, paired by
 * image, with the digit as class label.
 *
 * @param views how an image is split: left/right halves or top/bottom halves (32 pixels each)
 * @param evalFraction share of images held out for evaluation, in [0, 1)
 * @param seed seed of the train/eval split and of the corruption
 * @param corruption probability p that a training image is paired with the other view of another
 *     image of the same digit ({@link PairCorruption})
 */
public record DigitsConfig(Views views, double evalFraction, long seed, double corruption) implements SourceConfig {
    /** Name of this source in config files. */
    public static final String KIND = "digits";

    /** The two views of an 8x8 image. */
    public enum Views {
        /** x = columns 0-3, y = columns 4-7. */
        LEFT_RIGHT,
        /** x = rows 0-3, y = rows 4-7. */
        TOP_BOTTOM
    }

    /** Validates. */
    public DigitsConfig {
        Checks.check(views != null, "views", "must be left_right or top_bottom");
        Checks.check(evalFraction >= 0 && evalFraction < 1, "evalFraction", "must be in [0, 1), got " + evalFraction);
        Checks.check(seed >= 0, "seed", "must be >= 0, got " + seed);
        Checks.check(corruption >= 0 && corruption <= 1, "corruption", "must be in [0, 1], got " + corruption);
    }

    /** Left/right halves, 20 % of the images held out (359), seed 0, no corruption. */
    public static DigitsConfig defaults() {
        return new DigitsConfig(Views.LEFT_RIGHT, 0.2, 0, 0);
    }

    /** @return a copy with another corruption probability */
    public DigitsConfig withCorruption(double p) {
        return new DigitsConfig(views, evalFraction, seed, p);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public PairedSource build() {
        return new FinitePairedSource(Digits.paired(views), evalFraction, seed, corruption);
    }
}
