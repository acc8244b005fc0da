package org.gaplab.engine.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The two towers' branches: failures that surface after both stopped, and the threads they share. */
class TowerBranchesTest {
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
}
