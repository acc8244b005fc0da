package org.gaplab.engine.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.models.Activation;
import org.gaplab.models.OutputMap;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;
import org.gaplab.models.TowerConfig;
import org.gaplab.models.TowerKind;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each tower route on its own: given {@code g = dL/dz}, its parameter gradients equal autograd's
 * gradient of {@code sum(z . g)} through the whole tower, output map included, in float64.
 */
class TowerBackwardTest {
    private static final int RUNS = 2;
    private static final int ROWS = 11;

    @Test
    void linearClosedFormMatchesAutograd() {
        TowerConfig linear = new TowerConfig(TowerKind.LINEAR, 3, List.of(), 4, Activation.RELU, OutputMap.SPHERE);
        assertMatchesAutograd(linear, GradientPlan.TowerRoute.LINEAR_CLOSED_FORM, ROWS);
    }

    @Test
    void layersMatchAutogradWholeAndInChunks() {
        for (OutputMap out : List.of(OutputMap.SPHERE, OutputMap.NONE)) {
            assertMatchesAutograd(mlp(Activation.TANH, out), GradientPlan.TowerRoute.LAYERS, ROWS);
            assertMatchesAutograd(mlp(Activation.TANH, out), GradientPlan.TowerRoute.LAYERS, 4);
        }
    }

    @Test
    void towerGraphMatchesAutograd() {
        assertMatchesAutograd(mlp(Activation.GELU, OutputMap.SPHERE), GradientPlan.TowerRoute.TOWER_GRAPH, ROWS);
    }

    @Test
    void cachedChunksMatchAutograd() {
        assertMatchesAutograd(mlp(Activation.GELU, OutputMap.SPHERE), GradientPlan.TowerRoute.CACHED_CHUNKS, 4);
    }

    @Test
    void theFactoryPicksOneClassPerRoute() {
        Tower t = new Tower(mlp(Activation.GELU, OutputMap.SPHERE), "t");
        for (GradientPlan.TowerRoute r : GradientPlan.TowerRoute.values()) {
            TowerBackward b = TowerBackward.of(r, t, new Parameters(), ROWS);
            assertThat(b.route()).isEqualTo(r);
            assertThat(b.recordsWithLoss()).isEqualTo(r == GradientPlan.TowerRoute.TOWER_GRAPH);
        }
    }

    private static TowerConfig mlp(Activation act, OutputMap out) {
        return new TowerConfig(TowerKind.MLP, 3, List.of(7, 5), 4, act, out);
    }

    private static void assertMatchesAutograd(TowerConfig config, GradientPlan.TowerRoute route, long chunkRows) {
        Tower tower = new Tower(config, "t");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Parameters params = new Parameters();
            tower.initialize(m, new long[] {3, 4}, DataType.FLOAT64, params);
            NDArray x = m.randomNormal(0, 1, new Shape(RUNS, ROWS, 3), DataType.FLOAT64);
            NDArray g = m.randomNormal(0, 1, new Shape(RUNS, ROWS, 4), DataType.FLOAT64);
            params.requireGradients();
            TowerBackward backward = TowerBackward.of(route, tower, params, chunkRows);
            Map<ParamSpec, double[]> got = new HashMap<>();
            NDArray z;
            try (NDManager scope = m.newSubManager()) {
                TowerBackward.Pass pass = backward.forward(scope, x);
                if (backward.recordsWithLoss()) {
                    try (GradientCollector gc = Autograd.record(scope)) {
                        pass.record();
                        gc.backward(pass.head(g));
                    }
                }
                z = pass.z().duplicate();
                z.attach(m);
                pass.gradients(g).forEach((p, a) -> got.put(p, a.toDoubleArray()));
            }
            for (ParamSpec p : tower.specs()) {
                Parameters.resetGradient(params.get(p).getGradient());
            }
            NDArray zRef;
            try (GradientCollector gc = Autograd.record(m)) {
                zRef = tower.forward(params, x);
                gc.backward(zRef.mul(g).sum());
            }
            assertThat(z.toDoubleArray()).as("%s: embeddings", route).containsExactly(zRef.toDoubleArray(), within(1e-12));
            assertThat(got.keySet()).as("%s: one gradient per parameter", route).containsExactlyInAnyOrderElementsOf(tower.specs());
            for (ParamSpec p : tower.specs()) {
                double[] want = params.get(p).getGradient().toDoubleArray();
                double[] have = got.get(p);
                for (int i = 0; i < want.length; i++) {
                    assertThat(have[i]).as("%s: d/d%s[%d]", route, p.name(), i).isCloseTo(want[i], within(1e-10 * (1 + Math.abs(want[i]))));
                }
            }
        }
    }
}
