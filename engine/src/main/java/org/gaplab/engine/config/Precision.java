package org.gaplab.engine.config;

import ai.djl.ndarray.types.DataType;

/** Floating-point precision of parameters and data. */
public enum Precision {
    /** 32-bit floats: the default, and what GPUs are fast at. */
    FLOAT32(DataType.FLOAT32),
    /** 64-bit floats: for gradient checks and match tests. */
    FLOAT64(DataType.FLOAT64);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** @return the DJL data type */
    public DataType dataType() {
        return dataType;
    }
}
