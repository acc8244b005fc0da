package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Training through the embedding split (closed-form dL/dz, then a backward per tower: closed
 * form, one autograd pass, or cached chunks) equals training by autograd through the whole graph,
 * in float64, step for step.
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
            compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.AUTOGRAD);
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
            int n = alone[1].length;
            for (int i = 0; i < 6; i++) {
                assertThat(alone[0][i]).as("loss at step %d (closed form %s)", i, closedForm)
                        .isCloseTo(stacked[0][2 * i], within(1e-9 * Math.abs(stacked[0][2 * i])));
            }
            // parameters are stacked per array: compare run 0's share of each
            assertThat(n * 2).isEqualTo(stacked[1].length);
        }
    }

    @Test
    void cachedChunksMatchWholeGraphAutograd() {
        List<String> keys = new ArrayList<>(mlp());
        keys.add("model.temperature.learnable=true");
        compare(keys, TINY_GRAPH, GradientPlan.TowerRoute.CACHED_CHUNKS);
    }

    /** Tanh embeddings (not unit vectors) take exact maxima; the centroid penalty its closed form. */
    @Test
    void tanhOutputsAndTheCentroidPenaltyMatchWholeGraphAutograd() {
        List<String> keys = new ArrayList<>(mlp());
        keys.add("model.tower1.output=tanh");
        keys.add("model.tower2.output=tanh");
        keys.add("loss.gap_penalty=centroid");
        keys.add("loss.gap_weight=0.5");
        RunConfig c = compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.AUTOGRAD);
        assertThat(c.loss().penalized()).isTrue();
    }

    /** Mixed towers: a linear tower's closed form next to an MLP's cached chunks. */
    @Test
    void linearAndMlpTowersTogether() {
        List<String> keys = List.of("precision=float64", "batch_size=48", "steps=6", "model.tower2.kind=mlp",
                "model.tower2.hidden=[16]", "model.tower2.output_dim=2", "model.temperature.learnable=true");
        try (Trainer t = new Trainer(List.of(ConfigLoader.load(null, keys)), Device.cpu(), TINY_GRAPH)) {
            assertThat(t.gradientPlan().tower1()).isEqualTo(GradientPlan.TowerRoute.CLOSED_FORM);
            assertThat(t.gradientPlan().tower2()).isEqualTo(GradientPlan.TowerRoute.CACHED_CHUNKS);
            assertThat(t.gradientPlan().toMap()).containsEntry("route", "embedding_split")
                    .containsEntry("tower1", "closed_form").containsEntry("tower2", "cached_chunks");
            assertThat(t.gradientPlan().chunkRows2()).isLessThan(48);
        }
        compare(keys, TINY_GRAPH, GradientPlan.TowerRoute.CACHED_CHUNKS);
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
        compare(keys, Long.MAX_VALUE, GradientPlan.TowerRoute.AUTOGRAD);
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
        for (int part = 0; part < 2; part++) {
            assertThat(a[part]).hasSameSizeAs(b[part]);
            for (int i = 0; i < a[part].length; i++) {
                assertThat(a[part][i]).as("%s, %s %d", keys, part == 0 ? "loss" : "parameter", i)
                        .isCloseTo(b[part][i], within(1e-9 * Math.max(1, Math.abs(b[part][i]))));
            }
        }
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
                assertThat(t.gradientPlan().route()).isEqualTo(GradientPlan.Route.AUTOGRAD);
            } else {
                assertThat(t.gradientPlan().route()).isEqualTo(GradientPlan.Route.EMBEDDING_SPLIT);
                assertThat(t.gradientPlan().tower2()).isEqualTo(expected);
            }
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                t.step();
                for (double l : t.drainMetrics().loss()) {
                    losses.add(l);
                }
            }
            double[] params = t.model().parameters().asList().stream()
                    .flatMapToDouble(p -> java.util.Arrays.stream(p.toDoubleArray())).toArray();
            return new double[][] {losses.stream().mapToDouble(Double::doubleValue).toArray(), params};
        }
    }
}
