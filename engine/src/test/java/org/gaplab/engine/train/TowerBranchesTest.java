package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The two towers side by side on the CPU: the same training, and failures that surface. */
class TowerBranchesTest {
    private int threadsBefore;

    @BeforeEach
    void twoThreads() {
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

    @Test
    void aFailureInEitherBranchSurfacesAfterBothStopped() {
        try (TowerBranches b = new TowerBranches(2)) {
            for (RuntimeException e : List.of(new IllegalStateException("first"), new RuntimeException(new AssertionError("first")))) {
                AtomicBoolean secondFinished = new AtomicBoolean();
                Runnable fail = e.getCause() instanceof AssertionError err ? () -> {
                    throw err;        // an Error must wait for the other branch too
                } : () -> {
                    throw e;
                };
                assertThatThrownBy(() -> b.both(fail, () -> {
                    sleep(200);
                    secondFinished.set(true);
                })).hasMessage("first");
                assertThat(secondFinished).as("the second branch ran to its end before the failure surfaced").isTrue();
            }
            assertThatThrownBy(() -> b.both(() -> { }, () -> {
                throw new IllegalArgumentException("second");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("second");
            Throwable both = org.assertj.core.api.Assertions.catchThrowable(() -> b.both(() -> {
                throw new IllegalStateException("one");
            }, () -> {
                throw new IllegalStateException("two");
            }));
            assertThat(both).hasMessage("one");
            assertThat(both.getSuppressed()).extracting(Throwable::getMessage).containsExactly("two");
        }
    }

    /** Each branch runs on its share of the threads, and the caller gets its own count back. */
    @Test
    void theBranchesShareTheThreads() {
        for (int total : new int[] {2, 3, 4}) {
            JniUtils.setNumThreads(total);
            try (TowerBranches b = new TowerBranches(total)) {
                for (int repeat = 0; repeat < 2; repeat++) {
                    AtomicInteger seen = new AtomicInteger();
                    b.both(() -> seen.addAndGet(10 * JniUtils.getNumThreads()), () -> seen.addAndGet(JniUtils.getNumThreads()));
                    assertThat(seen.get()).as("%d threads", total).isEqualTo(10 * (total / 2) + (total - total / 2));
                    assertThat(JniUtils.getNumThreads()).isEqualTo(total);
                }
                assertThat(TowerBranches.describe(total)).isEqualTo((total / 2) + " + " + (total - total / 2) + " intra-op threads");
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double[][] train(List<RunConfig> runs, boolean sideBySide) {
        try (Trainer t = new Trainer(runs, Device.cpu(), sideBySide)) {
            assertThat(t.gradientPlan().sideBySide() != null).isEqualTo(sideBySide);
            return GradientRouteTest.lossesAndParameters(t, 5);
        }
    }
}
