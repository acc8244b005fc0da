package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.PairedSource;
import org.gaplab.datasets.SourceConfig;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.config.SourceKinds;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

class TrainingRunTest {
    @TempDir
    Path dir;

    private static RunConfig quick(double sigma, int steps) {
        return RunConfig.defaults().withData(CircleMixtureConfig.paper(sigma)).withSteps(steps)
                .withEval(new org.gaplab.engine.config.EvalConfig(2000)).withSchedule(new ScheduleConfig(50, 100, 0));
    }

    private RunResult run(RunConfig c, Path out, TrainingListener... listeners) {
        TrainingRun.Builder b = TrainingRun.builder().setConfig(c).optOutputDir(out).optDevice(DeviceRequest.parse("cpu"));
        for (TrainingListener l : listeners) {
            b.optListener(l);
        }
        return b.build().call();
    }

    @Test
    void alignedDataLowersTheLossAndAlignsThePairs() {
        try (RunResult r = run(quick(0.0, 600).withSchedule(new ScheduleConfig(50, 100, 300)), dir.resolve("aligned"))) {
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            List<Double> losses = trainLosses(r.runDir());
            assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) - 0.5);
            assertThat(r.eval().meanPairCosine()).isGreaterThan(0.99);
            // periodic measurement: a "measure" line every 300 steps with the gap statistics
            List<JsonNode> measures = MetricsLog.read(r.runDir().resolve("metrics.jsonl")).stream()
                    .filter(n -> n.path("kind").asText().equals("measure")).collect(Collectors.toList());
            assertThat(measures).extracting(n -> n.path("step").asInt()).containsExactly(300, 600);
            assertThat(measures.get(1).path("centroid_gap").asDouble()).isBetween(0.0, 2.0);
            assertThat(measures.get(1).path("angle_hist_jeffreys").isNumber()).isTrue();
            // the run directory holds every promised artifact
            for (String f : List.of("config.json", "model.json", "provenance.json", "metrics.jsonl", "train.log",
                    "checkpoint.ckpt", "summary.json", "loss.png", "loss.svg")) {
                assertThat(r.runDir().resolve(f)).as(f).isNotEmptyFile();
            }
            // the trained model embeds new host data onto the sphere
            float[][] z = r.model().embed1(new float[][] {{1, 0}, {0, 1}});
            assertThat(z[0][0] * z[0][0] + z[0][1] * z[0][1]).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
        }
    }

    private static List<Double> trainLosses(Path runDir) {
        return MetricsLog.read(runDir.resolve("metrics.jsonl")).stream().filter(n -> n.path("kind").asText().equals("train"))
                .map(n -> n.path("loss").asDouble()).collect(Collectors.toList());
    }

    private static List<String> trainLines(Path runDir) {
        return MetricsLog.read(runDir.resolve("metrics.jsonl")).stream().filter(n -> !n.path("kind").asText().equals("measure"))
                .map(JsonNode::toString).collect(Collectors.toList());
    }

    @Test
    void resumeAfterAStopMidIntervalReproducesTheUninterruptedRun() {
        RunConfig c = quick(0.4, 300).withSchedule(new ScheduleConfig(50, 70, 0));
        try (RunResult full = run(c, dir.resolve("full"))) {
            assertThat(full.status()).isEqualTo(RunStatus.COMPLETED);
        }
        StopSignal stop = StopSignal.none();
        Path split = dir.resolve("split");
        TrainingRun first = TrainingRun.builder().setConfig(c).optOutputDir(split).optDevice(DeviceRequest.parse("cpu"))
                .optStopSignal(stop).optListener(new TrainingListener() {
                    @Override
                    public void onCheckpoint(TrainingRun run, Trainer trainer, Path file) {
                        stop.request("TERM"); // at step 70, between log steps 50 and 100
                    }
                }).build();
        try (RunResult r = first.call()) {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.steps()).isEqualTo(70);
        }
        try (RunResult r = TrainingRun.builder().optResume(split, List.of()).optDevice(DeviceRequest.parse("cpu")).build().call()) {
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.steps()).isEqualTo(230);
        }
        assertThat(trainLines(split)).isEqualTo(trainLines(dir.resolve("full")));
    }

    /** A source that turns to NaN after its first block, to drive a run into divergence. */
    record PoisonConfig(int goodBlocks) implements SourceConfig {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Override
        public String kind() {
            return "poison";
        }

        @Override
        public PairedSource build() {
            PairedSource clean = CircleMixtureConfig.paper(0.4).build();
            return new PairedSource() {
                @Override
                public int dimX() {
                    return 2;
                }

                @Override
                public int dimY() {
                    return 2;
                }

                @Override
                public NDList sampleTrain(NDManager m, long seed, int n, DataType dt) {
                    NDList d = clean.sampleTrain(m, seed, n, dt);
                    if (CALLS.incrementAndGet() > goodBlocks) {
                        NDArray nan = d.get(0).mul(Float.NaN);
                        return new NDList(nan, d.get(1));
                    }
                    return d;
                }

                @Override
                public NDList evaluationSet(NDManager m, long seed, int n, DataType dt) {
                    return clean.evaluationSet(m, seed, n, dt);
                }
            };
        }
    }

    @Test
    void nanLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws Exception {
        SourceKinds.register("poison", PoisonConfig.class, () -> new PoisonConfig(1));
        PoisonConfig.CALLS.set(0);
        // 100 steps per data block: block 0 is clean, block 1 (steps 101..200) is NaN
        RunConfig c = quick(0.4, 400).withData(new PoisonConfig(1)).withSchedule(new ScheduleConfig(50, 100, 0));
        try (RunResult r = run(c, dir.resolve("nan"))) {
            assertThat(r.status()).isEqualTo(RunStatus.DIVERGED);
            // 400 steps with log_every 50 give 8 points (< 20), so the run logs every 10 steps and
            // sees the NaN at the first logged step after it starts
            assertThat(TrainingRun.logInterval(c)).isEqualTo(10);
            assertThat(r.steps()).isEqualTo(110);
        }
        Path ckpt = dir.resolve("nan").resolve(Checkpoint.FILE_NAME);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint saved = Checkpoint.read(ckpt, m);
            assertThat(saved.counters().step()).isEqualTo(100);
            for (NDArray p : saved.params()) {
                assertThat(p.isNaN().any().getBoolean()).isFalse();
            }
        }
        assertThat(Files.readString(dir.resolve("nan").resolve("summary.json"))).contains("\"diverged\"");
        assertThat(Files.readString(dir.resolve("nan").resolve("train.log"))).contains("diverged");
    }
}
