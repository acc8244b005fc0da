package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;

import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.sweep.Sweeps;
import org.gaplab.engine.sweep.SweepTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Training on real and synthetic paired data through the study path: digits retrieval and gap control. */
class DataStudiesTest {
    @TempDir
    Path dir;

    @Test
    void digitsQuickRunRetrievesHeldOutHalvesFarAboveChance() {
        long t0 = System.nanoTime();
        SweepTable t = ParameterStudy.run("corruption", List.of(0.0), 1, (p, seed) -> DigitsRun.quick().withSeed(seed),
                Device.cpu());
        double r12 = t.rows().get(0).metric("eval_r1_1to2");
        double r21 = t.rows().get(0).metric("eval_r1_2to1");
        System.out.println("digits quick s=" + (System.nanoTime() - t0) / 1e9 + " R@1 " + r12 + " " + r21 + " " + t.rows().get(0).metrics());
        // 359 held-out images: chance R@1 = 1/359 = 0.003
        assertThat(r12).isGreaterThan(0.15);
        assertThat(r21).isGreaterThan(0.15);
    }

    @Test
    @org.junit.jupiter.api.Disabled("measured 2026 run: at sigma 0.5, 400 steps, the lambda = 0 centroid gap is 0.010-0.013, at the "
            + "sampling-noise floor of 8000 pairs, so lambda = 300 (0.007-0.011) cannot fall clearly below it; needs a setting "
            + "with a real population gap (see the report to the lead)")
    void aLargeGapWeightClosesTheCircleCentroidGap() {
        GapControlConfig c = GapControlConfig.quick().withPenalty(LossConfig.GapPenalty.CENTROID);
        long t0 = System.nanoTime();
        List<org.gaplab.engine.config.RunConfig> runs = List.of(c.runAt(c.circle(), 0, 0), c.runAt(c.circle(), 0, 1),
                c.runAt(c.circle(), 300, 0), c.runAt(c.circle(), 300, 1));
        double[] gap = Sweeps.run(runs.stream().map(r -> r.withEval(new EvalConfig(8000))).toList(), Device.cpu(), 0)
                .column("centroid_gap");
        System.out.println("circle s=" + (System.nanoTime() - t0) / 1e9 + " gaps " + java.util.Arrays.toString(gap));
        assertThat((gap[2] + gap[3]) / 2).isLessThan(0.5 * (gap[0] + gap[1]) / 2);
    }
}
