package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** provenance.json is written from the typed {@link Provenance} record with the keys it always had. */
class ProvenanceRecordTest {
    /** The keys of a fresh training run's provenance.json, in order, as written before the record existed. */
    static final List<String> TRAIN_KEYS = List.of("schema_version", "created", "gaplab", "git_sha", "djl", "engine", "pytorch",
            "libtorch_flavor", "cuda", "device", "device_reason", "seed", "threads", "openmp_wait", "native_allocator", "cpu",
            "mkl_cpu_features", "mkl_kernels", "java", "os", "host", "command", "gradient");

    @TempDir
    Path dir;

    @Test
    void aTrainRunWritesTodaysKeysAndTheRecordReadsThemBack() throws Exception {
        RunConfig c = RunConfig.defaults().withData(CircleMixtureConfig.paper(0.2)).withSteps(20).withSeed(7)
                .withEval(new org.gaplab.engine.config.EvalConfig(200)).withSchedule(new ScheduleConfig(10, 0, 0));
        try (RunResult r = TrainingRun.builder().setConfig(c).optOutputDir(dir.resolve("run")).optDevice(DeviceRequest.parse("cpu"))
                .optCommandLine(List.of("train", "--seed", "7")).build().call()) {
            Path file = r.runDir().resolve("provenance.json");
            JsonNode json = Json.MAPPER.readTree(file.toFile());
            List<String> keys = new ArrayList<>();
            json.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactlyElementsOf(TRAIN_KEYS);
            assertThat(json.path("seed").asLong()).isEqualTo(7);
            assertThat(json.path("command")).extracting(JsonNode::asText).containsExactly("train", "--seed", "7");
            Provenance back = Provenance.read(file);
            assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(back.toMap()))).isEqualTo(json);
            assertThat(back.gradient()).isEqualTo(Json.MAPPER.convertValue(json.get("gradient"), java.util.Map.class));
        }
    }
}
