package org.gaplab.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.train.RunResult;
import org.gaplab.engine.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue 28: a run trained inside a stack gives the numbers `train` gives for the same config, bit
 * for bit on the CPU, including runs of different tau in one stack and a tau past the loss's
 * single-shift bound (which takes exact maxima and so a stack of its own).
 */
class SweepRowEqualsTrainTest {
    @TempDir
    Path dir;

    @Test
    void stackedRowsEqualTheirTrainRuns() {
        RunConfig base = ConfigLoader.override(RunConfig.defaults(), Map.of("steps", 60, "batch_size", 32,
                "eval.size", 300, "schedule.log_every", 20, "schedule.checkpoint_every", 0, "data.sigma", 0.3));
        List<RunConfig> configs = new ArrayList<>();
        for (double tau : new double[] {0.05, 0.1, 0.3, 0.02}) {
            for (long seed : new long[] {0, 1}) {
                configs.add(ConfigLoader.override(base, Map.of("model.temperature.tau", tau, "seed", seed,
                        "optim.lr", tau == 0.3 ? 0.01 : 0.005)));
            }
        }
        // the three taus under the bound share one stack; tau = 0.02 (logit scale 50) stacks apart
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            points.add(new SweepPoint(i, Map.of(), configs.get(i).seed(), configs.get(i)));
        }
        List<List<SweepPoint>> stacks = SweepPlan.stack(points, c -> 16, SweepPlan.Cut.FILL);
        assertThat(stacks).extracting(List::size).containsExactly(6, 2);
        assertThat(StepBlocks.singleShift(configs.get(0))).isTrue();
        assertThat(StepBlocks.singleShift(configs.get(6))).isFalse();

        SweepTable table = Sweeps.run(configs, ai.djl.Device.cpu(), 0);
        for (int i = 0; i < configs.size(); i++) {
            RunConfig c = configs.get(i);
            SweepRow row = table.rows().get(i);
            try (RunResult r = TrainingRun.builder().setConfig(c).optOutputDir(dir.resolve("run" + i))
                    .optDevice(DeviceRequest.parse("cpu")).build().call()) {
                String what = "tau " + c.model().temperature().tau() + ", seed " + c.seed();
                assertThat(row.metric(Metric.FINAL_LOSS)).as(what + " final_loss").isEqualTo(r.finalLoss());
                assertThat(row.metric(Metric.CENTROID_GAP)).as(what + " centroid gap").isEqualTo(r.eval().centroidGap());
                assertThat(row.metric(Metric.MEAN_PAIR_COSINE)).as(what + " mean pair cosine")
                        .isEqualTo(r.eval().meanPairCosine());
                assertThat(row.metric(Metric.EVAL_LOSS)).as(what + " eval loss").isEqualTo(r.eval().evalLoss());
            }
        }
    }
}
