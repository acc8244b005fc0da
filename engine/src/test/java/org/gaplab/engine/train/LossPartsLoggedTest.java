package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loss with named parts logs each beside the total on metrics.jsonl's train lines, on both
 * gradient routes (the embedding split, and whole-graph autograd with {@code loss.closed_form=false}),
 * and a loss without parts logs none.
 */
class LossPartsLoggedTest {
    private static final double LAMBDA = 0.5;

    @TempDir
    Path dir;

    @Test
    void aGapPenaltyLogsTheContrastiveTermAndThePenalty() throws Exception {
        for (String penalty : List.of("CENTROID", "MMD", "MMD whole graph")) {
            boolean split = !penalty.endsWith("whole graph");
            LossConfig loss = new LossConfig(LossConfig.Kind.SYMMETRIC_INFONCE, -10, split)
                    .withGapPenalty(LossConfig.GapPenalty.valueOf(penalty.split(" ")[0]), LAMBDA);
            List<JsonNode> lines = train(quick().withLoss(loss), penalty.replace(' ', '-'));
            assertThat(route(penalty.replace(' ', '-'))).isEqualTo(split ? "embedding_split" : "autograd");
            assertThat(lines).isNotEmpty();
            for (JsonNode l : lines) {
                assertThat(l.has("loss_contrastive") && l.has("loss_penalty")).as("%s: %s", penalty, l).isTrue();
                double sum = l.path("loss_contrastive").asDouble() + LAMBDA * l.path("loss_penalty").asDouble();
                // float32 sums of float32 parts: agreement to float rounding, not to the bit
                assertThat(sum).as("%s: contrastive + lambda * penalty", penalty)
                        .isCloseTo(l.path("loss").asDouble(), within(1e-5 * (1 + Math.abs(l.path("loss").asDouble()))));
            }
        }
    }

    @Test
    void aLossWithoutPartsLogsNone() {
        for (JsonNode l : train(quick(), "plain")) {
            List<String> keys = new ArrayList<>();
            l.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).noneMatch(k -> k.startsWith("loss_"));
        }
    }

    private static RunConfig quick() {
        return RunConfig.defaults().withData(CircleMixtureConfig.paper(0.4)).withSteps(30).withBatchSize(32)
                .withEval(new EvalConfig(200)).withSchedule(new ScheduleConfig(10, 0, 0));
    }

    private String route(String name) throws java.io.IOException {
        return Json.MAPPER.readTree(dir.resolve(name).resolve("summary.json").toFile()).path("gradient").path("route").asText();
    }

    private List<JsonNode> train(RunConfig c, String name) {
        Path out = dir.resolve(name);
        try (RunResult r = TrainingRun.builder().setConfig(c).optOutputDir(out).optDevice(DeviceRequest.parse("cpu")).build().call()) {
            assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        }
        List<JsonNode> train = new ArrayList<>();
        for (JsonNode l : MetricsLog.read(out.resolve("metrics.jsonl"))) {
            if ("train".equals(l.path("kind").asText())) {
                train.add(l);
            }
        }
        return train;
    }
}
