package org.gaplab.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

/** The graph-safe scalar operations give DJL's number operations' results bit for bit. */
class ScalarsTest {
    @Test
    void sameBitsAsDjlsNumberOperationsInBothPrecisions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                NDArray x = m.randomNormal(new Shape(3, 17, 5)).toType(type, false);
                for (double c : new double[] {2, -0.5 / 256, 1 / 0.07, 1e-12, 3.3}) {
                    assertThat(Scalars.mul(x, c).toArray()).as("mul %s %s", type, c).isEqualTo(x.mul(c).toArray());
                    assertThat(Scalars.div(x, c).toArray()).as("div %s %s", type, c).isEqualTo(x.div(c).toArray());
                    assertThat(Scalars.atLeast(x, c).toArray()).as("atLeast %s %s", type, c).isEqualTo(x.maximum(c).toArray());
                }
                assertThat(Scalars.mul(x, 2).getDataType()).isEqualTo(type);
            }
        }
    }
}
