package org.gaplab.engine.loss;

/**
 * How to compute a {@link LossGradient}.
 *
 * @param rowBlock rows of the {@code [K, rows, B]} logits held at once; {@code >= B} is the whole matrix
 * @param unitShift embeddings are unit vectors and {@code exp(-2c)} is a normal number at the
 *     largest logit scale c the run can reach, so every logit lies in {@code [-c, c]} and one
 *     shift by c serves rows and columns (one exponential pass); otherwise exact row and column
 *     maxima are found first
 * @param scaleGradient compute {@code dL/d ln c} (a learnable temperature)
 */
public record GradientRequest(int rowBlock, boolean unitShift, boolean scaleGradient) {
    /** Validates. */
    public GradientRequest {
        if (rowBlock < 1) {
            throw new IllegalArgumentException("rowBlock: must be >= 1, got " + rowBlock);
        }
    }

    /**
     * Whether one shift by the logit scale is safe: {@code exp(-2 c)} must stay a normal number
     * (float32: c up to 40; float64: up to 350).
     *
     * @param maxLogitScale the largest scale the run can reach (1/tau fixed, or the clamp)
     * @param bytesPerElement 4 or 8
     * @return whether unit embeddings may use the single shift
     */
    public static boolean shiftIsSafe(double maxLogitScale, int bytesPerElement) {
        return maxLogitScale <= (bytesPerElement >= 8 ? 350 : 40);
    }
}
