package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The two towers side by side on the CPU train like one after the other, and the plan says which ran. */
class SideBySideTowersTest {
    private int threadsBefore;

    @BeforeEach
    void twoThreads() {
        ai.djl.engine.Engine.getInstance();     // loads libtorch before its thread settings are read
        threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(2);      // branches need two intra-op threads, whatever the test machine has
    }

    @AfterEach
    void restore() {
        JniUtils.setNumThreads(threadsBefore);
    }

    /** MLP towers large enough to branch (about 50 M multiply-adds per tower and step). */
    private static RunConfig wide(String... extra) {
        List<String> keys = new ArrayList<>(List.of("precision=float64", "batch_size=256", "steps=5", "data.sigma=0.3",
                "model.tower1.kind=mlp", "model.tower1.hidden=[256, 256]", "model.tower1.output_dim=8", "model.tower1.activation=relu",
                "model.tower2.kind=mlp", "model.tower2.hidden=[256, 256]", "model.tower2.output_dim=8", "model.tower2.activation=tanh",
                "model.temperature.learnable=true"));
        keys.addAll(List.of(extra));
        return ConfigLoader.load(null, keys);
    }

    @Test
    void sideBySideTrainsLikeOneAfterTheOther() {
        List<RunConfig> runs = List.of(wide().withSeed(1), wide().withSeed(2));
        // the towers' products run on one intra-op thread each here and on two in the reference;
        // a BLAS may split its sums differently, so agreement is to 1e-9, not to the bit
        GradientRouteTest.assertAgree(train(runs, true), train(runs, false), "side by side vs one after the other");
    }

    @Test
    void thePlanSaysWhetherTheTowersRanSideBySide() {
        try (Trainer t = new Trainer(List.of(wide()), Device.cpu())) {
            assertThat(t.gradientPlan().sideBySide()).isEqualTo("1 + 1 intra-op threads");
            assertThat(t.gradientPlan().toMap()).containsEntry("towers_side_by_side", true);
            assertThat(t.gradientPlan().toString()).contains("towers side by side");
        }
        // the paper's 2x2 linear towers: far too little work to hand off
        try (Trainer t = new Trainer(List.of(RunConfig.defaults()), Device.cpu())) {
            assertThat(t.gradientPlan().sideBySide()).isNull();
            assertThat(t.gradientPlan().toMap()).containsEntry("towers_side_by_side", false);
        }
        // GELU towers back-propagate through autograd, which takes one collector at a time
        try (Trainer t = new Trainer(List.of(wide("model.tower1.activation=gelu")), Device.cpu())) {
            assertThat(t.gradientPlan().sideBySide()).isNull();
        }
        JniUtils.setNumThreads(1);
        try (Trainer t = new Trainer(List.of(wide()), Device.cpu())) {
            assertThat(t.gradientPlan().sideBySide()).as("one intra-op thread: nothing to share").isNull();
        }
    }

    private static double[][] train(List<RunConfig> runs, boolean sideBySide) {
        try (Trainer t = new Trainer(runs, Device.cpu(), sideBySide)) {
            assertThat(t.gradientPlan().sideBySide() != null).isEqualTo(sideBySide);
            return GradientRouteTest.lossesAndParameters(t, 5);
        }
    }
}
