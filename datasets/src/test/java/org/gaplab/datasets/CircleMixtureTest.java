package org.gaplab.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

class CircleMixtureTest {
    @Test
    void sameSeedSameDataAndOtherSeedOtherData() {
        PairedSource src = CircleMixtureConfig.paper(0.3).build();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = src.sampleTrain(m, 42, 500, DataType.FLOAT32).get(0).toFloatArray();
            m.getEngine().setRandomSeed(999); // the generator's history must not matter
            float[] b = src.sampleTrain(m, 42, 500, DataType.FLOAT32).get(0).toFloatArray();
            float[] c = src.sampleTrain(m, 43, 500, DataType.FLOAT32).get(0).toFloatArray();
            assertThat(a).containsExactly(b);
            assertThat(a).isNotEqualTo(c);
        }
    }

    @Test
    void mixtureWeightMisalignmentAndNoiseHaveTheirConfiguredEffect() {
        double sigma = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDList d = CircleMixtureConfig.paper(sigma).build().sampleTrain(m, 1, 40000, DataType.FLOAT64);
            double[] t1 = d.get(2).toDoubleArray();
            double[] t2 = d.get(3).toDoubleArray();
            double near0 = 0;
            double cosShift = 0;
            for (int i = 0; i < t1.length; i++) {
                near0 += Math.cos(t1[i]) > 0 ? 1 : 0;
                cosShift += Math.cos(t2[i] - t1[i]);
            }
            // 70% of the mass sits in the component at 0 (kappa 6 leaves ~0.1% across the axis)
            assertThat(near0 / t1.length).isCloseTo(0.7, within(0.01));
            // E cos(sigma Z) = exp(-sigma^2 / 2)
            assertThat(cosShift / t1.length).isCloseTo(Math.exp(-sigma * sigma / 2), within(0.01));
            // features are (cos, sin) + 0.02 noise
            double[] x = d.get(0).toDoubleArray();
            double resid = 0;
            for (int i = 0; i < t1.length; i++) {
                double dx = x[2 * i] - Math.cos(t1[i]);
                resid += dx * dx;
            }
            assertThat(Math.sqrt(resid / t1.length)).isCloseTo(0.02, within(0.001));
        }
    }

    @Test
    void badConstantsFailNamingTheField() {
        assertThatThrownBy(() -> new CircleMixtureConfig(-1, 0.7, 0, Math.PI, 6, 0.02)).hasMessageStartingWith("sigma:");
        assertThatThrownBy(() -> new CircleMixtureConfig(0, 1.5, 0, Math.PI, 6, 0.02)).hasMessageStartingWith("weight:");
        assertThatThrownBy(() -> new CircleMixtureConfig(0, 0.7, 0, Math.PI, 0, 0.02)).hasMessageStartingWith("kappa:");
    }
}
