package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.core.Json;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.StepResult;
import org.gaplab.engine.step.StepSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The one training loop's contract, on a step source that records what the loop asked of it. */
class TrainingLoopTest {
    @TempDir
    Path dir;

    /** Counts steps and drains; its "loss" of step s is s, so an interval's mean is checkable. */
    private static final class Counting implements StepSource {
        long step;
        double sum;
        long interval;
        final List<Long> drainedAt = new ArrayList<>();

        Counting(long start) {
            this.step = start;
        }

        @Override
        public long stepsDone() {
            return step;
        }

        @Override
        public StepResult step() {
            step++;
            sum += step;
            interval++;
            return null;
        }

        @Override
        public IntervalMetrics drainMetrics() {
            drainedAt.add(step);
            IntervalMetrics m = new IntervalMetrics(step, interval, 1, new double[] {sum / interval}, new double[] {1},
                    new double[] {1});
            sum = 0;
            interval = 0;
            return m;
        }
    }

    /** Records the events it sees, as "event@step". */
    private static final class Recorder implements TrainingListener {
        final String name;
        final List<String> events;

        Recorder(String name, List<String> events) {
            this.name = name;
            this.events = events;
        }

        @Override
        public void onStart(TrainingLoop loop) {
            events.add(name + ".start@" + loop.source().stepsDone());
        }

        @Override
        public void onInterval(TrainingLoop loop, IntervalMetrics m) {
            events.add(name + ".interval@" + m.step());
        }

        @Override
        public void beforeEnd(TrainingLoop loop) {
            events.add(name + ".beforeEnd@" + loop.source().stepsDone());
        }

        @Override
        public void onEnd(TrainingLoop loop, TrainingLoop.Outcome o) {
            events.add(name + ".end:" + o.status() + "@" + o.step());
        }
    }

    @Test
    void drainsOnlyAtLogStepsAndTheLastStepAndResumesWhereTheSourceStands() {
        Counting src = new Counting(0);
        List<String> events = new ArrayList<>();
        TrainingLoop.Outcome o = TrainingLoop.run(src, 25, 10, List.of(new Recorder("a", events)));
        assertThat(src.drainedAt).containsExactly(10L, 20L, 25L);
        assertThat(o.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(o.step()).isEqualTo(25);
        assertThat(o.metrics().loss()[0]).isEqualTo((21 + 22 + 23 + 24 + 25) / 5.0);
        assertThat(events).containsExactly("a.start@0", "a.interval@10", "a.interval@20", "a.interval@25",
                "a.beforeEnd@25", "a.end:COMPLETED@25");

        Counting resumed = new Counting(20);
        TrainingLoop.run(resumed, 40, 10, List.of());
        assertThat(resumed.drainedAt).containsExactly(30L, 40L);
    }

    @Test
    void aDivergenceEndsTheRunBeforeLaterListenersSeeTheInterval() {
        Counting src = new Counting(0);
        List<String> events = new ArrayList<>();
        TrainingListener guard = TrainingListener.atIntervals((loop, m) -> {
            if (m.step() == 20) {
                loop.diverged("test", m);
            }
        });
        TrainingLoop.Outcome o = TrainingLoop.run(src, 50, 10, List.of(guard, new Recorder("b", events)));
        assertThat(o.status()).isEqualTo(RunStatus.DIVERGED);
        assertThat(o.step()).isEqualTo(20);
        assertThat(o.reason()).isEqualTo("test");
        assertThat(o.metrics().step()).isEqualTo(20);
        // no interval at 20 and no beforeEnd (no final checkpoint of a diverged state)
        assertThat(events).containsExactly("b.start@0", "b.interval@10", "b.end:DIVERGED@20");
    }

    @Test
    void aStopEndsAfterTheCurrentStepButNeverAtTheLastOne() {
        StopSignal stop = StopSignal.none();
        Counting src = new Counting(0);
        List<String> events = new ArrayList<>();
        TrainingListener stopAt7 = new TrainingListener() {
            @Override
            public void onStep(TrainingLoop loop) {
                if (loop.source().stepsDone() == 7) {
                    stop.request("TERM");
                }
            }
        };
        TrainingLoop.Outcome o = TrainingLoop.run(src, 30, 5, List.of(stopAt7, new Recorder("c", events), stop));
        assertThat(o.status()).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(o.step()).isEqualTo(7);
        assertThat(o.reason()).contains("SIGTERM");
        assertThat(o.metrics().step()).as("the last drained interval").isEqualTo(5);
        assertThat(events).containsExactly("c.start@0", "c.interval@5", "c.beforeEnd@7", "c.end:INTERRUPTED@7");

        // a stop already requested does not interrupt a one-step run: its last step completes it
        Counting one = new Counting(0);
        assertThat(TrainingLoop.run(one, 1, 5, List.of(stop)).status()).isEqualTo(RunStatus.COMPLETED);
    }

    /** The loop and its divergence listeners leave the live NDArray count flat (standard: a scope per step). */
    @Test
    void liveNdArrayCountStaysFlatUnderTheLoopAndItsChecks() {
        List<RunConfig> runs = List.of(quick(true).withSteps(450), quick(true).withSteps(450).withSeed(1));
        try (Trainer t = new Trainer(runs, ai.djl.Device.cpu())) {
            List<Integer> counts = new ArrayList<>();
            TrainingListener count = TrainingListener.atIntervals((loop, m) -> {
                if (m.step() % 100 == 50) {   // mid-block, as in TrainerTest
                    counts.add(t.rootManager().getManagedArrays().size());
                }
            });
            TrainingLoop.Outcome o = TrainingLoop.run(t, 450, 50,
                    List.of(DivergenceCheck.stopOnFirst(), new DivergenceCheck.PerRun(2), count));
            assertThat(o.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(counts).hasSize(5).containsOnly(counts.get(0));
        }
    }

    private static RunConfig quick(boolean closedForm) {
        return RunConfig.defaults().withData(CircleMixtureConfig.paper(0.4)).withSteps(40).withBatchSize(32)
                .withEval(new EvalConfig(200)).withSchedule(new ScheduleConfig(10, 0, 0))
                .withLoss(new LossConfig(LossConfig.Kind.SYMMETRIC_INFONCE, 0, closedForm));
    }

    /** Which gradient path ran, and why, is in summary.json, provenance.json and train.log. */
    @Test
    void theGradientRouteIsRecordedWithTheRun() throws Exception {
        for (boolean closedForm : new boolean[] {true, false}) {
            Path out = dir.resolve("run-" + closedForm);
            try (RunResult r = TrainingRun.builder().setConfig(quick(closedForm)).optOutputDir(out)
                    .optDevice(DeviceRequest.parse("cpu")).build().call()) {
                assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            }
            String route = closedForm ? "embedding_split" : "autograd";
            for (String file : new String[] {"summary.json", "provenance.json"}) {
                JsonNode g = Json.MAPPER.readTree(out.resolve(file).toFile()).path("gradient");
                assertThat(g.path("route").asText()).as(file).isEqualTo(route);
                assertThat(g.path("reason").asText()).as(file).isNotBlank();
            }
            assertThat(Files.readString(out.resolve("train.log")))
                    .contains(closedForm ? "gradient: closed-form dL/dz" : "gradient: autograd through the whole graph (loss.closed_form=false)");
        }
    }
}
