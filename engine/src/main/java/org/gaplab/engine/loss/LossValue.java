package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss per run with its named parts (empty for a loss that is one term), for training to log each term
 * beside the total.
 *
 * @param total the loss of each run, {@code [K]}
 * @param parts each named part of it, {@code [K]}; empty for a loss that is one term
 */
public record LossValue(NDArray total, Map<String, NDArray> parts) {
    /** Copies the parts' map. */
    public LossValue {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }
}
