package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

/** A tower's forward over chunks of rows, for the chunked backward routes. */
final class RowChunks {
    private RowChunks() {}

    /**
     * u (the output before the output map) for the whole batch, embedded chunk by chunk so that
     * only one chunk's activations exist at a time (the budget that chose the chunks holds for
     * the forward pass too). Call with no collector open: no graph is kept.
     */
    static NDArray embed(NDManager scope, Tower tower, Parameters params, NDArray input, long chunkRows) {
        long n = input.getShape().get(1);
        NDArray whole = null;
        for (long from = 0; from < n; from += chunkRows) {
            long to = Math.min(n, from + chunkRows);
            try (NDManager chunk = scope.newSubManager()) {
                NDArray xc = input.get(":, {}:{}", from, to);
                xc.attach(chunk);
                NDArray uc = tower.forwardRaw(params, xc);
                if (whole == null) {
                    whole = scope.zeros(new Shape(uc.getShape().get(0), n, uc.getShape().get(2)), uc.getDataType());
                }
                whole.set(new NDIndex(":, {}:{}", from, to), uc);
            }
        }
        return whole;
    }
}
