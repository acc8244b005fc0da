package org.gaplab.engine.experiment.gradconsistency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.FigureFiles;
import org.gaplab.engine.experiment.Reproduce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** The quick gradient-consistency run, end to end, and its independence of how seeds are stacked. */
class GradConsistencyTest {
    @Test
    void quickRunWritesSaneJsonCsvFiguresAndSummary(@TempDir Path out) throws Exception {
        GradConsistencyConfig c = GradConsistencyConfig.quick();
        Reproduce.onCpu(new GradConsistencyExperiment(), c, out);

        JsonNode doc = Json.MAPPER.readTree(out.resolve("grad_consistency.json").toFile());
        assertThat(doc.get("schema_version").asInt()).isEqualTo(1);
        assertThat(doc.get("experiment").asText()).isEqualTo("grad-consistency");
        assertThat(doc.get("negatives")).hasSize(c.negatives().size());
        assertThat(doc.get("critics")).hasSize(2);
        for (JsonNode critic : doc.get("critics")) {
            JsonNode cos = critic.get("cosine_mean");
            JsonNode err = critic.get("rel_error_mean");
            assertThat(cos).hasSize(c.negatives().size());
            assertThat(critic.get("cosine_per_seed")).hasSize(c.seeds());
            for (int j = 0; j < cos.size(); j++) {
                assertThat(cos.get(j).asDouble()).isBetween(-1.0, 1.0);
                assertThat(err.get(j).asDouble()).isPositive().isLessThan(10.0);
                assertThat(critic.get("cosine_std").get(j).asDouble()).isGreaterThanOrEqualTo(0.0);
            }
            // more negatives must bring the gradient closer to the reference, clearly so over the range
            assertThat(cos.get(cos.size() - 1).asDouble()).isGreaterThan(cos.get(0).asDouble() + 0.3);
            assertThat(err.get(err.size() - 1).asDouble()).isLessThan(err.get(0).asDouble());
            assertThat(critic.get("rel_error_loglog_slope").asDouble()).isNegative();
        }
        assertThat(doc.get("claims")).hasSize(2);
        assertThat(Files.readAllLines(out.resolve("grad_consistency.csv"))).hasSize(1 + 2 * c.negatives().size());
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims", "**INCONCLUSIVE**: The cosine exceeds 0.95",
                "this run has no N >= 512");
        FigureFiles.assertValid(out.resolve("grad_cosine"));
        FigureFiles.assertValid(out.resolve("grad_relerr"));
    }

    @Test
    void aSeedGivesTheSameCurvesAloneOrStacked(@TempDir Path out) throws Exception {
        GradConsistencyConfig c = GradConsistencyConfig.quick().with(2, GradConsistencyConfig.powersOfTwo(4, 64), 256);
        Reproduce.onCpu(new GradConsistencyExperiment(), c, out.resolve("both"));
        Reproduce.onCpu(new GradConsistencyExperiment(), c.withSeeds(1), out.resolve("alone"));
        JsonNode both = Json.MAPPER.readTree(out.resolve("both/grad_consistency.json").toFile()).get("critics");
        JsonNode alone = Json.MAPPER.readTree(out.resolve("alone/grad_consistency.json").toFile()).get("critics");
        for (int k = 0; k < 2; k++) {
            JsonNode a = alone.get(k).get("cosine_per_seed").get(0);
            JsonNode b = both.get(k).get("cosine_per_seed").get(0);
            assertThat(a).hasSize(c.negatives().size());
            for (int j = 0; j < a.size(); j++) {
                assertThat(a.get(j).asDouble()).isCloseTo(b.get(j).asDouble(), org.assertj.core.api.Assertions.within(1e-4));
            }
        }
    }
}
