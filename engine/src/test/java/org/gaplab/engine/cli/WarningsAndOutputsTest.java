package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.datasets.io.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** Issue 17: warnings for suspicious but legal input; outputs that fail to write name their path. */
class WarningsAndOutputsTest {
    @TempDir
    Path dir;

    @Test
    void aBatchLargerThanTheTrainingSetIsWarnedAbout() throws Exception {
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            x.append(Math.cos(i)).append(',').append(Math.sin(i)).append('\n');
            y.append(Math.cos(i + 0.1)).append(',').append(Math.sin(i + 0.1)).append('\n');
        }
        Files.writeString(dir.resolve("x.csv"), x);
        Files.writeString(dir.resolve("y.csv"), y);
        Path out = dir.resolve("r");
        String[] common = {"train", "--device", "cpu", "--set", "data.kind=files", "--set", "data.x=" + dir.resolve("x.csv"),
            "--set", "data.y=" + dir.resolve("y.csv"), "--set", "steps=5", "--set", "eval.size=8"};
        CliTest.Outcome o = CliTest.gaplab(concat(common, "--set", "batch_size=1000", "--out", out.toString()));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(Files.readString(out.resolve("train.log"))).contains("WARN").contains("batch_size 1000 is larger than the");
        CliTest.Outcome fine = CliTest.gaplab(concat(common, "--set", "batch_size=8", "--out", dir.resolve("r2").toString()));
        assertThat(fine.code()).as(fine.err()).isZero();
        assertThat(Files.readString(dir.resolve("r2").resolve("train.log"))).doesNotContain("is larger than the");
    }

    /**
     * Issue 28: with data.kind files the towers' input_dim comes from the data when not given, and a
     * tower that maps such features onto S^1 (the default toy towers) is warned about.
     */
    @Test
    void filesInferInputDimAndWarnAboutALowSphere() throws Exception {
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 60; i++) {
            for (int j = 0; j < 6; j++) {
                x.append(j == 0 ? "" : ",").append(rng.nextDouble());
            }
            for (int j = 0; j < 4; j++) {
                y.append(j == 0 ? "" : ",").append(rng.nextDouble());
            }
            x.append('\n');
            y.append('\n');
        }
        Files.writeString(dir.resolve("x6.csv"), x);
        Files.writeString(dir.resolve("y4.csv"), y);
        String[] common = {"train", "--device", "cpu", "--set", "data.kind=files", "--set", "data.x=" + dir.resolve("x6.csv"),
            "--set", "data.y=" + dir.resolve("y4.csv"), "--set", "steps=5", "--set", "eval.size=8", "--set", "batch_size=16"};
        CliTest.Outcome o = CliTest.gaplab(concat(common, "--out", dir.resolve("low").toString()));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode cfg = Json.MAPPER.readTree(dir.resolve("low").resolve("config.json").toFile());
        assertThat(cfg.path("model").path("tower1").path("input_dim").asInt()).isEqualTo(6);
        assertThat(cfg.path("model").path("tower2").path("input_dim").asInt()).isEqualTo(4);
        assertThat(Files.readString(dir.resolve("low").resolve("train.log")))
                .contains("model.tower1 maps 6-dimensional inputs onto the sphere S^1").contains("model.tower2 maps 4-dimensional");
        // MLP towers onto S^7: no warning; a given input_dim that does not fit stays an error
        CliTest.Outcome mlp = CliTest.gaplab(concat(common, "--set", "model.tower1.kind=mlp", "--set", "model.tower1.hidden=[16]",
                "--set", "model.tower1.activation=relu", "--set", "model.tower1.output_dim=8", "--set", "model.tower2.kind=mlp",
                "--set", "model.tower2.hidden=[16]", "--set", "model.tower2.activation=relu", "--set", "model.tower2.output_dim=8",
                "--out", dir.resolve("mlp").toString()));
        assertThat(mlp.code()).as(mlp.err()).isZero();
        assertThat(Files.readString(dir.resolve("mlp").resolve("train.log"))).doesNotContain("onto the sphere S^");
        CliTest.Outcome wrong = CliTest.gaplab(concat(common, "--set", "model.tower1.input_dim=5", "--out", dir.resolve("bad").toString()));
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("do not match the data's feature dimensions (6, 4)");
        // README's example config: MLP towers onto S^31, input_dim from the files
        var example = org.gaplab.engine.config.ConfigLoader.load(Path.of("..", "examples", "files-mlp.yaml"),
                java.util.List.of("data.x=" + dir.resolve("x6.csv"), "data.y=" + dir.resolve("y4.csv")));
        assertThat(example.model().tower1().inputDim()).isEqualTo(6);
        assertThat(example.model().tower2().inputDim()).isEqualTo(4);
        assertThat(example.model().tower1().outputDim()).isEqualTo(32);
        assertThat(org.gaplab.engine.train.TrainingRun.lowSphere(example.model().tower1())).isFalse();
    }

    /** kind=mlp on the default (linear) towers keeps their identity activation: legal, and warned about. */
    @Test
    void anMlpWithTheIdentityIsWarnedAbout() throws Exception {
        String[] common = {"train", "--device", "cpu", "--set", "steps=5", "--set", "eval.size=50", "--set", "model.tower1.kind=mlp",
            "--set", "model.tower1.hidden=[8]"};
        CliTest.Outcome o = CliTest.gaplab(concat(common, "--out", dir.resolve("id").toString()));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(Files.readString(dir.resolve("id").resolve("train.log"))).contains("WARN")
                .contains("model.tower1 has hidden layers [8] but activation identity").doesNotContain("model.tower2 has");
        CliTest.Outcome relu = CliTest.gaplab(concat(common, "--set", "model.tower1.activation=relu", "--out", dir.resolve("relu").toString()));
        assertThat(relu.code()).as(relu.err()).isZero();
        assertThat(Files.readString(dir.resolve("relu").resolve("train.log"))).doesNotContain("activation identity");
    }

    @Test
    void duplicateRowsAreCounted() {
        Matrix m = new Matrix("m.npy", new long[] {4, 2}, new double[] {1, 2, 3, 4, 1, 2, 1, 2}, "float64");
        assertThat(InputWarnings.duplicateRows(m)).isEqualTo(2);
        Matrix distinct = new Matrix("d.npy", new long[] {3, 2}, new double[] {1, 2, 2, 1, 1, 3}, "float64");
        assertThat(InputWarnings.duplicateRows(distinct)).isZero();
    }

    /**
     * A figure that cannot be written (here loss.png is a non-empty directory; in the field a full
     * disk): exit 2 naming the file, no temp file left behind, and the summary does not say
     * "completed".
     */
    @Test
    void anOutputThatFailsToWriteNamesItsPathAndTheRunIsNotCompleted() throws Exception {
        Path out = dir.resolve("r");
        Files.createDirectories(out.resolve("loss.png").resolve("blocker"));
        // --force: the blocker is not a file gaplab wrote, which is refused since issue 27 unless forced
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--json", "--set", "steps=60", "--set",
                "schedule.log_every=20", "--set", "eval.size=100", "--out", out.toString(), "--force");
        RefusalTest.assertRefused(o, "cannot write " + out.resolve("loss.png"));
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("status").asText()).isEqualTo("outputs_failed");
        assertThat(summary.path("reason").asText()).contains("loss.png");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(Json.MAPPER.readTree(o.out()).path("status").asText()).isEqualTo("error");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
