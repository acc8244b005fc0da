package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.step.Autograd;
import org.gaplab.engine.step.GradientPlan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Training through the embedding split (closed-form dL/dz, then a backward per tower: closed
 * form, layer-wise closed form whole or in chunks, one autograd pass, or cached chunks) equals
 * training by autograd through the whole graph, in float64, step for step.
 */
class GradientRouteTest {
    /** A tower graph budget small enough that B = 48 rows are cut into chunks. */
    private static final long TINY_GRAPH = 8L << 10;

    @Test
    void mlpTowersWithEveryLossMatchWholeGraphAutograd() {
        for (String loss : List.of("symmetric_infonce", "infonce_x_to_y", "infonce_y_to_x", "sigmoid")) {
            List<String> keys = new ArrayList<>(mlp());
            keys.add("loss.kind=" + loss);
            keys.add("model.temperature.learnable=true");
            compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.LAYERS);
        }
    }

    /** Every nonlinearity with a closed-form derivative takes the layer-wise route; GELU one autograd pass. */
    @Test
    void eachHiddenActivationTakesItsRouteAndMatchesWholeGraphAutograd() {
        for (String act : List.of("relu", "tanh", "identity", "gelu")) {
            List<String> keys = new ArrayList<>(mlp());
            keys.add("model.tower1.activation=" + act);
            keys.add("model.tower2.activation=" + act);
            compare(keys, Long.MAX_VALUE, act.equals("gelu") ? GradientPlan.TowerRoute.TOWER_GRAPH : GradientPlan.TowerRoute.LAYERS);
        }
    }

    /**
     * The layer-wise backward gives exactly the parameter gradients autograd gives for the same
     * tower. With the identity this failed before the identity became a view: DJL's
     * {@code duplicate()} cut autograd's graph, so only the last layer of such a tower learned.
     */
    @Test
    void layerBackwardEqualsAutogradOfTheTower() {
        for (String act : List.of("relu", "tanh", "identity")) {
            for (int runs : new int[] {1, 2}) {
                org.gaplab.models.TowerConfig tc = new org.gaplab.models.TowerConfig(org.gaplab.models.TowerKind.MLP, 3, List.of(7, 5), 4,
                        org.gaplab.models.Activation.valueOf(act.toUpperCase(java.util.Locale.ROOT)), org.gaplab.models.OutputMap.SPHERE);
                org.gaplab.models.Tower tower = new org.gaplab.models.Tower(tc, "t");
                try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu())) {
                    org.gaplab.models.Parameters params = new org.gaplab.models.Parameters();
                    long[] seeds = runs == 1 ? new long[] {3} : new long[] {3, 4};
                    tower.initialize(m, seeds, ai.djl.ndarray.types.DataType.FLOAT64, params);
                    ai.djl.ndarray.NDArray x = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(runs, 11, 3),
                            ai.djl.ndarray.types.DataType.FLOAT64);
                    ai.djl.ndarray.NDArray gu = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(runs, 11, 4),
                            ai.djl.ndarray.types.DataType.FLOAT64);
                    java.util.Map<org.gaplab.models.ParamSpec, ai.djl.ndarray.NDArray> closed =
                            tower.backwardLayers(params, tower.forwardLayers(params, x), gu);
                    params.requireGradients();
                    try (ai.djl.training.GradientCollector gc = Autograd.record(m)) {
                        gc.backward(tower.forwardRaw(params, x).mul(gu).sum());
                    }
                    assertThat(closed.keySet()).containsExactlyInAnyOrderElementsOf(tower.specs());
                    for (org.gaplab.models.ParamSpec p : tower.specs()) {
                        double[] want = params.get(p).getGradient().toDoubleArray();
                        double[] got = closed.get(p).toDoubleArray();
                        assertThat(closed.get(p).getShape()).as("%s shape", p.name()).isEqualTo(params.get(p).getShape());
                        for (int i = 0; i < want.length; i++) {
                            // ReLU and the identity take autograd's products and reductions (a zero may
                            // differ in sign, which within 0 allows); tanh's slope 1 - h h takes three
                            // passes where autograd fuses it, so it may differ in the last bit
                            assertThat(got[i]).as("%s %s K=%d [%d]", act, p.name(), runs, i)
                                    .isCloseTo(want[i], within(act.equals("tanh") ? 1e-12 : 0.0));
                        }
                    }
                }
            }
        }
    }

    /** One run (plain products with the bias fused) equals the same run stacked with another. */
    @Test
    void oneRunMatchesItsStackedSelfOnBothRoutes() {
        for (boolean closedForm : List.of(true, false)) {
            List<String> keys = new ArrayList<>(mlp());
            keys.add("loss.closed_form=" + closedForm);
            RunConfig c = ConfigLoader.load(null, keys);
            double[][] alone = train(List.of(c.withSeed(1)), Long.MAX_VALUE, null, closedForm);
            double[][] stacked = train(List.of(c.withSeed(1), c.withSeed(2)), Long.MAX_VALUE, null, closedForm);
            for (int i = 0; i < 6; i++) {
                assertThat(alone[0][i]).as("loss at step %d (closed form %s)", i, closedForm)
                        .isCloseTo(stacked[0][2 * i], within(1e-9 * Math.abs(stacked[0][2 * i])));
            }
            // parameters are stacked per array, [K, ...]: run 0's share is the first half of each
            assertThat(alone[1].length * 2).isEqualTo(stacked[1].length);
            int at = 0;
            for (int size : parameterSizes(c)) {
                for (int j = 0; j < size; j++) {
                    assertThat(alone[1][at / 2 + j]).as("parameter value %d (closed form %s)", at / 2 + j, closedForm)
                            .isCloseTo(stacked[1][at + j], within(1e-9 * Math.max(1, Math.abs(stacked[1][at + j]))));
                }
                at += 2 * size;
            }
        }
    }

    /** One run trained alone through the chunked layer-wise route (plain products on [n, in] views) equals autograd. */
    @Test
    void oneRunInLayerChunksMatchesWholeGraphAutograd() {
        List<String> keys = new ArrayList<>(mlp());
        keys.add("model.tower1.activation=relu");
        keys.add("model.tower2.activation=relu");
        RunConfig split = ConfigLoader.load(null, keys);
        List<String> whole = new ArrayList<>(keys);
        whole.add("loss.closed_form=false");
        double[][] a = train(List.of(split.withSeed(3)), TINY_GRAPH, GradientPlan.TowerRoute.LAYERS);
        double[][] b = train(List.of(ConfigLoader.load(null, whole).withSeed(3)), TINY_GRAPH, null);
        assertAgree(a, b, "one run, layer chunks");
    }

    /** Elements per run of each parameter, in parameter order. */
    private static List<Integer> parameterSizes(RunConfig c) {
        try (Trainer t = new Trainer(List.of(c), Device.cpu())) {
            return t.model().parameters().asList().stream().map(p -> (int) p.size()).toList();
        }
    }

    @Test
    void layerChunksAndCachedChunksMatchWholeGraphAutograd() {
        for (String act : List.of("relu", "gelu")) {
            List<String> keys = new ArrayList<>(mlp());
            keys.add("model.temperature.learnable=true");
            keys.add("model.tower1.activation=" + act);
            keys.add("model.tower2.activation=" + act);
            try (Trainer t = new Trainer(List.of(ConfigLoader.load(null, keys)), Device.cpu(), TINY_GRAPH)) {
                assertThat(t.gradientPlan().chunkRows1()).isLessThan(48);
                assertThat(t.gradientPlan().chunkRows2()).isLessThan(48);
            }
            compare(keys, TINY_GRAPH, act.equals("gelu") ? GradientPlan.TowerRoute.CACHED_CHUNKS : GradientPlan.TowerRoute.LAYERS);
        }
    }

    /**
     * Tanh and raw embeddings (not unit vectors) take exact maxima; the centroid penalty its closed
     * form. Raw outputs failed before the identity map became a view: whole-graph autograd got no
     * gradient through DJL's detaching {@code duplicate()}.
     */
    @Test
    void tanhAndRawOutputsAndTheCentroidPenaltyMatchWholeGraphAutograd() {
        for (String output : List.of("tanh", "none")) {
            List<String> keys = new ArrayList<>(mlp());
            keys.add("model.tower1.output=" + output);
            keys.add("model.tower2.output=" + output);
            keys.add("loss.gap_penalty=centroid");
            keys.add("loss.gap_weight=0.5");
            RunConfig c = compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.LAYERS);
            assertThat(c.loss().penalized()).isTrue();
        }
    }

    /** Mixed towers: a linear tower's closed form next to an MLP's layer-wise chunks. */
    @Test
    void linearAndMlpTowersTogether() {
        List<String> keys = List.of("precision=float64", "batch_size=48", "steps=6", "model.tower2.kind=mlp",
                "model.tower2.hidden=[16]", "model.tower2.output_dim=2", "model.temperature.learnable=true");
        try (Trainer t = new Trainer(List.of(ConfigLoader.load(null, keys)), Device.cpu(), TINY_GRAPH)) {
            assertThat(t.gradientPlan().tower1()).isEqualTo(GradientPlan.TowerRoute.LINEAR_CLOSED_FORM);
            assertThat(t.gradientPlan().tower2()).isEqualTo(GradientPlan.TowerRoute.LAYERS);
            assertThat(t.gradientPlan().toMap()).containsEntry("route", "embedding_split")
                    .containsEntry("tower1", "closed_form").containsEntry("tower2", "layers");
            assertThat(t.gradientPlan().chunkRows2()).isLessThan(48);
        }
        compare(keys, TINY_GRAPH, GradientPlan.TowerRoute.LAYERS);
    }

    /** MMD^2 takes the split route with its closed form; six steps of two runs match whole-graph autograd. */
    @Test
    void mmdPenaltyTakesTheSplitAndMatchesWholeGraphAutograd() {
        List<String> keys = new ArrayList<>(mlp());
        keys.add("loss.gap_penalty=mmd");
        keys.add("loss.gap_weight=3");
        try (Trainer t = new Trainer(List.of(ConfigLoader.load(null, keys)), Device.cpu())) {
            assertThat(t.gradientPlan().route()).isEqualTo(GradientPlan.Route.EMBEDDING_SPLIT);
            assertThat(t.gradientPlan().reason()).contains("MMD");
        }
        compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.LAYERS);
    }

    private static List<String> mlp() {
        return List.of("precision=float64", "batch_size=48", "steps=6", "data.sigma=0.3",
                "model.tower1.kind=mlp", "model.tower1.hidden=[16, 8]", "model.tower1.output_dim=3",
                "model.tower2.kind=mlp", "model.tower2.hidden=[12]", "model.tower2.output_dim=3");
    }

    /** Two stacked runs, 6 steps each way; losses and every parameter agree to 1e-9. */
    private static RunConfig compare(List<String> keys, long graphBytes, GradientPlan.TowerRoute expected) {
        RunConfig split = ConfigLoader.load(null, keys);
        List<String> whole = new ArrayList<>(keys);
        whole.add("loss.closed_form=false");
        RunConfig autograd = ConfigLoader.load(null, whole);
        double[][] a = train(List.of(split.withSeed(1), split.withSeed(2)), graphBytes, expected);
        double[][] b = train(List.of(autograd.withSeed(1), autograd.withSeed(2)), graphBytes, null);
        assertAgree(a, b, keys);
        return split;
    }

    private static double[][] train(List<RunConfig> runs, long graphBytes, GradientPlan.TowerRoute expected) {
        return train(runs, graphBytes, expected, false);
    }

    private static double[][] train(List<RunConfig> runs, long graphBytes, GradientPlan.TowerRoute expected, boolean anyRoute) {
        try (Trainer t = new Trainer(runs, Device.cpu(), graphBytes)) {
            if (anyRoute) {
                assertThat(t.gradientPlan()).isNotNull();
            } else if (expected == null) {
                assertThat(t.gradientPlan().route()).isEqualTo(GradientPlan.Route.WHOLE_GRAPH);
            } else {
                assertThat(t.gradientPlan().route()).isEqualTo(GradientPlan.Route.EMBEDDING_SPLIT);
                assertThat(t.gradientPlan().tower2()).isEqualTo(expected);
            }
            return lossesAndParameters(t, 6);
        }
    }

    /**
     * Trains {@code steps} steps.
     *
     * @return every step's loss of every run, in order, and then every parameter value
     */
    static double[][] lossesAndParameters(Trainer t, int steps) {
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            t.step();
            for (double l : t.drainMetrics().loss()) {
                losses.add(l);
            }
        }
        double[] params = t.model().parameters().asList().stream()
                .flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
        return new double[][] {losses.stream().mapToDouble(Double::doubleValue).toArray(), params};
    }

    /** Losses and parameters of two trainings agree to 1e-9 (relative past 1). */
    static void assertAgree(double[][] a, double[][] b, Object what) {
        for (int part = 0; part < 2; part++) {
            assertThat(a[part]).hasSameSizeAs(b[part]);
            for (int i = 0; i < a[part].length; i++) {
                assertThat(a[part][i]).as("%s, %s %d", what, part == 0 ? "loss" : "parameter", i)
                        .isCloseTo(b[part][i], within(1e-9 * Math.max(1, Math.abs(b[part][i]))));
            }
        }
    }
}
