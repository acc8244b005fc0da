package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * What an {@link Estimator} sees of one repeat: the two independent samples (modality 1's distinct
 * rows with their multiplicities, modality 2's rows), as indices and as arrays, the result of the
 * pooled distance pass, and the values the repeat has produced so far.
 */
public final class RepeatContext {
    private final WholeSetContext whole;
    private final int repeat;
    private final TwoSampleSplit.Draw draw;
    private final NDArray centroidRows;
    private final NDArray y64;
    private final PooledPass.Result pass;
    private final Map<String, Double> row;

    RepeatContext(WholeSetContext whole, int repeat, TwoSampleSplit.Draw draw, NDArray centroidRows, NDArray y64, PooledPass.Result pass,
            Map<String, Double> row) {
        this.whole = whole;
        this.repeat = repeat;
        this.draw = draw;
        this.centroidRows = centroidRows;
        this.y64 = y64;
        this.pass = pass;
        this.row = row;
    }

    /** @return the whole set */
    public WholeSetContext whole() {
        return whole;
    }

    /** @return which repeat, from 0 */
    public int repeat() {
        return repeat;
    }

    /** @return modality 1's distinct rows of the independent sample */
    int[] xRows() {
        return draw.xRows();
    }

    /** @return modality 2's rows of the independent sample */
    int[] yRows() {
        return draw.yRows();
    }

    /** @return modality 1's rows for the subsample centroid (each image once), float64 */
    NDArray centroidRows() {
        return centroidRows;
    }

    /** @return modality 2's sample, float64 */
    NDArray y64() {
        return y64;
    }

    /** @return the pooled pass of this repeat (null when it did not run) */
    PooledPass.Result pass() {
        return pass;
    }

    /**
     * @param key a statistic computed earlier in this repeat
     * @return its value, or null
     */
    public Double value(String key) {
        return row.get(key);
    }
}
