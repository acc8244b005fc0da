package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Each check of the reliability verdict can fail on its own, and derived terms inherit it. */
class ReliabilityTest {
    private static final int[] KS = {3, 5, 10};

    private static Reliability.Value[] atK(double k3, double k5, double k10, double se) {
        return new Reliability.Value[] {new Reliability.Value(k3, se), new Reliability.Value(k5, se), new Reliability.Value(k10, se)};
    }

    @Test
    void dimensionRuleIsLog2OfMOverK() {
        assertThat(Reliability.maxDimension(2000, 5)).isCloseTo(Math.log(400) / Math.log(2), within(1e-12));
        Reliability.Value half = new Reliability.Value(0.5, 0.02);
        // D = 8 passes at m = 2000, k = 5 (8.6); D = 9 fails with everything else stable
        assertThat(Reliability.judge("KL", 8, 2000, 5, atK(0.5, 0.5, 0.5, 0.02), KS, half).reliable()).isTrue();
        Reliability.Verdict nine = Reliability.judge("KL", 9, 2000, 5, atK(0.5, 0.5, 0.5, 0.02), KS, half);
        assertThat(nine.reliable()).isFalse();
        assertThat(nine.reason()).contains("KL at intrinsic dimension 9, m = 2000, k = 5").contains("dimension rule needs D <= log2(m/k) = 8.6");
    }

    @Test
    void stabilityAcrossKAndAcrossMFailsBeyondThreeStandardErrors() {
        Reliability.Value half = new Reliability.Value(0.5, 0.02);
        // 3 sqrt(2) x 0.02 = 0.085: a move of 0.08 passes, 0.09 fails
        assertThat(Reliability.judge("H", 2, 2000, 5, atK(0.42, 0.5, 0.5, 0.02), KS, half).reliable()).isTrue();
        Reliability.Verdict k10 = Reliability.judge("H", 2, 2000, 5, atK(0.5, 0.5, 0.59, 0.02), KS, half);
        assertThat(k10.reliable()).isFalse();
        assertThat(k10.reason()).contains("k = 10 gives 0.59");
        Reliability.Verdict m = Reliability.judge("H", 2, 2000, 5, atK(0.5, 0.5, 0.5, 0.02), KS, new Reliability.Value(0.7, 0.02));
        assertThat(m.reliable()).isFalse();
        assertThat(m.reason()).contains("m/2 gives 0.7");
        assertThat(Reliability.judge("H", 2, 2000, 5, atK(0.5, 0.5, 0.5, 0.02), KS, null).reason()).contains("m/2 check");
    }

    @Test
    void derivedTermsInheritTheFlag() {
        Reliability.Verdict ok = new Reliability.Verdict(true, "fine");
        Reliability.Verdict bad = new Reliability.Verdict(false, "no");
        assertThat(Reliability.inherit("E", List.of("entropy_1", "knn_dsym"), List.of(ok, ok)).reliable()).isTrue();
        Reliability.Verdict e = Reliability.inherit("E", List.of("entropy_1", "knn_dsym"), List.of(ok, bad));
        assertThat(e.reliable()).isFalse();
        assertThat(e.reason()).contains("knn_dsym").doesNotContain("entropy_1,");
    }
}
