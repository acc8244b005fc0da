package org.gaplab.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.train.RunResult;
import org.gaplab.engine.train.TrainedModel;
import org.gaplab.engine.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small committed checkpoint (format version 1) must keep loading and reproducing the
 * embeddings it produced when it was written. Regenerate (only when the format changes on
 * purpose) with {@code -Dgaplab.regenerateGolden=src/test/resources/golden}.
 */
class GoldenCheckpointTest {
    static final float[][] INPUTS = {{1, 0}, {0, 1}, {-0.6f, 0.8f}, {0.3f, -0.2f}, {-1, -1}};

    @Test
    void committedCheckpointLoadsAndReproducesItsEmbeddings() throws Exception {
        Path ckpt = Path.of(getClass().getResource("/golden/linear-2x2-v1.ckpt").toURI());
        JsonNode expected = Json.MAPPER.readTree(getClass().getResourceAsStream("/golden/linear-2x2-v1-embeddings.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            RunArtifacts.LoadedRun run = RunArtifacts.load(ckpt, m);
            assertThat(run.step()).isEqualTo(expected.path("step").asLong());
            assertThat(run.config().seed()).isEqualTo(5);
            try (TrainedModel model = new TrainedModel(run.model(), 0, m.getDevice())) {
                float[][] z1 = model.embed1(INPUTS);
                float[][] z2 = model.embed2(INPUTS);
                for (int i = 0; i < INPUTS.length; i++) {
                    for (int j = 0; j < 2; j++) {
                        assertThat(z1[i][j]).isCloseTo((float) expected.path("z1").get(i).get(j).asDouble(), within(1e-6f));
                        assertThat(z2[i][j]).isCloseTo((float) expected.path("z2").get(i).get(j).asDouble(), within(1e-6f));
                    }
                }
            }
        }
    }

    @Test
    void corruptOrForeignFilesAreRejectedWithTheFileName(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.ckpt");
        Files.writeString(junk, "not a zip");
        try (NDManager m = NDManager.newBaseManager()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checkpoint.read(junk, m))
                    .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("junk.ckpt");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunArtifacts.load(dir, m))
                    .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("has no checkpoint.ckpt");
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "gaplab.regenerateGolden", matches = ".+")
    void regenerate(@TempDir Path dir) throws Exception {
        Path target = Path.of(System.getProperty("gaplab.regenerateGolden"));
        RunConfig c = RunConfig.defaults().withSeed(5).withSteps(40).withSchedule(new ScheduleConfig(20, 0, 0))
                .withEval(new org.gaplab.engine.config.EvalConfig(100)).withName("golden");
        try (RunResult r = TrainingRun.builder().setConfig(c).optOutputDir(dir.resolve("g")).optDevice(DeviceRequest.parse("cpu"))
                .build().call()) {
            Files.createDirectories(target);
            Files.copy(r.runDir().resolve(Checkpoint.FILE_NAME), target.resolve("linear-2x2-v1.ckpt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("step", 40);
            out.put("inputs", INPUTS);
            out.put("z1", r.model().embed1(INPUTS));
            out.put("z2", r.model().embed2(INPUTS));
            Json.write(target.resolve("linear-2x2-v1-embeddings.json"), out);
            assertThat(target.resolve("linear-2x2-v1.ckpt")).isNotEmptyFile();
        }
    }
}
