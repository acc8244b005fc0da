package org.gaplab.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

class DualEncoderTest {
    private static DualEncoder model(NDManager m, DualEncoderConfig c, long... seeds) {
        return DualEncoder.initialize(c, m, seeds, Arrays.stream(seeds).map(s -> s + 100).toArray(), null, DataType.FLOAT64);
    }

    @Test
    void anAlignedStartGivesTowerTwoTheParametersOfTowerOne() {
        TowerConfig mlp = TowerConfig.mlp(8, List.of(16), 4, Activation.RELU);
        DualEncoderConfig aligned = new DualEncoderConfig(mlp, mlp, TemperatureConfig.fixed(0.1), true);
        try (NDManager m = NDManager.newBaseManager()) {
            DualEncoder a = model(m, aligned, 3, 4);
            DualEncoder independent = model(m, aligned.withAlignedStart(false), 3, 4);
            for (String p : List.of("w0", "b0", "w1", "b1")) {
                assertThat(a.parameters().get("tower2." + p).toDoubleArray()).containsExactly(a.parameters().get("tower1." + p).toDoubleArray());
                // tower 1 is the same either way; tower 2 differs from an independent start's
                assertThat(a.parameters().get("tower1." + p).toDoubleArray())
                        .containsExactly(independent.parameters().get("tower1." + p).toDoubleArray());
                assertThat(independent.parameters().get("tower2." + p).toDoubleArray())
                        .isNotEqualTo(independent.parameters().get("tower1." + p).toDoubleArray());
            }
        }
        assertThatThrownBy(() -> new DualEncoderConfig(TowerConfig.linear(4, 4), mlp, TemperatureConfig.fixed(1), true))
                .hasMessageContaining("alignedStart");
    }

    @Test
    void initialisationFollowsPytorchLinearDefaultAndDependsOnlyOnTheRunSeed() {
        TowerConfig mlp = TowerConfig.mlp(16, List.of(64), 4, Activation.RELU);
        DualEncoderConfig c = new DualEncoderConfig(mlp, mlp, TemperatureConfig.fixed(0.1));
        try (NDManager m = NDManager.newBaseManager()) {
            DualEncoder stacked = model(m, c, 7, 8);
            double[] w0 = stacked.parameters().get("tower1.w0").toDoubleArray();
            double[] w1 = stacked.parameters().get("tower1.w1").toDoubleArray();
            // uniform in +-1/sqrt(fan_in): fan_in 16 -> 0.25, fan_in 64 -> 0.125; variance b^2/3
            assertThat(Arrays.stream(w0).map(Math::abs).max().orElseThrow()).isLessThanOrEqualTo(0.25).isGreaterThan(0.24);
            assertThat(Arrays.stream(w1).map(Math::abs).max().orElseThrow()).isLessThanOrEqualTo(0.125);
            double var = Arrays.stream(w0).map(x -> x * x).average().orElseThrow();
            assertThat(var).isCloseTo(0.25 * 0.25 / 3, within(0.002));
            // run 1 of the stack equals the same seed initialised alone
            DualEncoder alone = model(m, c, 8);
            double[] a = alone.parameters().get("tower2.b0").toDoubleArray();
            double[] b = stacked.selectRun(1, m).parameters().get("tower2.b0").toDoubleArray();
            assertThat(a).containsExactly(b);
            assertThat(c.tower1().parameterCount()).isEqualTo(16 * 64 + 64 + 64 * 4 + 4);
        }
    }

    @Test
    void embeddingsAreUnitVectorsAndTheLogitScaleIsClamped() {
        try (NDManager m = NDManager.newBaseManager()) {
            DualEncoder d = model(m, DualEncoderConfig.paperDefault().withTemperature(new TemperatureConfig(0.02, true, 100)), 1, 2);
            NDArray x = m.randomNormal(new Shape(2, 50, 2), DataType.FLOAT64);
            double[] norms = d.embed1(x).norm(new int[] {-1}).toDoubleArray();
            assertThat(Arrays.stream(norms).boxed().toList()).allSatisfy(n -> assertThat(n).isCloseTo(1.0, within(1e-12)));
            assertThat(d.logitScale().toDoubleArray()).containsExactly(new double[] {50, 50}, within(1e-9));
            d.parameters().get(DualEncoder.LOGIT_SCALE).addi(3); // ln 50 + 3 > ln 100
            d.clampLogitScale();
            assertThat(d.logitScale().toDoubleArray()).containsExactly(new double[] {100, 100}, within(1e-9));
        }
    }

    @Test
    void badArchitecturesFailNamingTheField() {
        assertThatThrownBy(() -> new TowerConfig(TowerKind.LINEAR, 2, List.of(4), 2, Activation.IDENTITY, OutputMap.SPHERE))
                .hasMessageStartingWith("hidden:");
        assertThatThrownBy(() -> new DualEncoderConfig(TowerConfig.linear(2, 2), TowerConfig.linear(2, 3), TemperatureConfig.fixed(1)))
                .hasMessageContaining("same dimension");
        assertThatThrownBy(() -> new TemperatureConfig(0.001, true, 100)).hasMessageStartingWith("tau:");
        assertThatThrownBy(() -> TowerConfig.linear(0, 2)).hasMessageStartingWith("inputDim:");
    }
}
