package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** The quick gradient-consistency run, end to end, and its independence of how seeds are stacked. */
class GradConsistencyTest {
    @Test
    void quickRunWritesSaneJsonCsvFiguresAndSummary(@TempDir Path out) throws Exception {
        GradConsistencyConfig c = GradConsistencyConfig.quick();
        GradConsistency.write(GradConsistency.run(c, Device.cpu()), out);

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
    void aSeedGivesTheSameCurvesAloneOrStacked() {
        GradConsistencyConfig c = GradConsistencyConfig.quick().with(2, GradConsistencyConfig.powersOfTwo(4, 64), 256);
        GradConsistency.Result both = GradConsistency.run(c, Device.cpu());
        GradConsistency.Result alone = GradConsistency.run(c.withSeeds(1), Device.cpu());
        for (int k = 0; k < 2; k++) {
            double[] a = alone.curves().get(k).cosine()[0];
            double[] b = both.curves().get(k).cosine()[0];
            for (int j = 0; j < a.length; j++) {
                assertThat(a[j]).isCloseTo(b[j], org.assertj.core.api.Assertions.within(1e-4));
            }
        }
    }
}
