package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.sweep.Comparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code gaplab compare} on hand-made run and sweep directories (no training). */
class CompareCommandTest {
    @TempDir
    Path dir;

    private Path run(String name, double sigma, double loss) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("summary.json"), "{\"status\":\"completed\",\"final_loss\":" + loss
                + ",\"steps_per_second\":100,\"eval\":{\"n\":8000,\"mean_pair_cosine\":0.9,\"centroid_gap\":0.01,\"eval_loss\":4.7}}");
        RunConfig c = ConfigLoader.override(RunConfig.defaults(), java.util.Map.of("data.sigma", sigma, "steps", 300));
        Json.write(d.resolve("config.json"), ConfigLoader.toTree(c));
        Files.writeString(d.resolve("metrics.jsonl"), "{\"kind\":\"train\",\"step\":10,\"loss\":6.0}\n"
                + "{\"kind\":\"train\",\"step\":20,\"loss\":" + loss + "}\n");
        return d;
    }

    private Path sweep() throws IOException {
        Path d = Files.createDirectories(dir.resolve("sw"));
        StringBuilder rows = new StringBuilder();
        double[][] values = {{0.0, 1.0}, {0.0, 3.0}, {0.6, 5.0}, {0.6, 9.0}};
        for (int i = 0; i < values.length; i++) {
            rows.append("{\"index\":").append(i).append(",\"seed\":").append(i % 2).append(",\"overrides\":{\"data.sigma\":")
                    .append(values[i][0]).append("},\"status\":\"completed\",\"steps\":200,\"metrics\":{\"final_loss\":")
                    .append(values[i][1]).append("}}\n");
        }
        Files.writeString(d.resolve("runs.jsonl"), rows.toString());
        Files.writeString(d.resolve("sweep.json"), "{\"spec\":{\"name\":\"sw\",\"base\":{\"steps\":200},"
                + "\"grid\":{\"data.sigma\":[0.0,0.6]},\"seeds\":{\"start\":0,\"count\":2}}}");
        return d;
    }

    @Test
    void runsAndSweepPointsSideBySideWithOnlyTheSettingsThatDiffer() throws IOException {
        Comparison c = Comparison.read(List.of(run("a", 0.4, 4.5), run("b", 0.0, 3.5), sweep()), false);
        assertThat(c.entries()).extracting(Comparison.Entry::label)
                .containsExactly("a", "b", "sw sigma=0.0", "sw sigma=0.6");
        // the sweep's points carry their whole config (from sweep.json), so only real differences show
        assertThat(c.differingSettings()).containsExactly("data.sigma", "seed", "steps"); // a sweep point has many seeds
        Comparison.Entry p06 = c.entries().get(3);
        assertThat(p06.runs()).isEqualTo(2);
        assertThat(p06.metrics().get("final_loss")).isEqualTo(7.0);
        // sample sd of {5, 9}
        assertThat(p06.sd().get("final_loss")).isCloseTo(Math.sqrt(8), within(1e-12));
        assertThat(c.entries().get(0).loss()).hasSize(2);
    }

    @Test
    void tableFormatsAndFiles() throws IOException {
        Path a = run("a", 0.4, 4.5);
        Path b = run("b", 0.0, 3.5);
        Path out = dir.resolve("cmp");
        var text = CliTest.gaplab("compare", a.toString(), b.toString(), "--metrics", "final_loss,centroid_gap", "--out", out.toString());
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out().lines().toList()).hasSize(3);
        assertThat(text.out().lines().findFirst().orElseThrow()).contains("data.sigma", "final_loss", "centroid_gap")
                .doesNotContain("mean_pair_cosine");
        for (String f : List.of("compare.csv", "compare.json", "compare.txt", "metrics.png", "metrics.svg", "metrics.pdf",
                "loss_curves.png", "loss_curves.pdf")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        assertThat(new String(Files.readAllBytes(out.resolve("metrics.pdf")), 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("%PDF-");

        var json = CliTest.gaplab("compare", a.toString(), b.toString(), "--format", "json");
        JsonNode n = Json.MAPPER.readTree(json.out());
        assertThat(n.path("entries").get(1).path("metrics").path("final_loss").asDouble()).isEqualTo(3.5);
        assertThat(n.path("entries").get(1).path("settings").path("data.sigma").asDouble()).isEqualTo(0.0);

        var csv = CliTest.gaplab("compare", a.toString(), b.toString(), "--format", "csv", "--metrics", "final_loss");
        assertThat(csv.out().lines().toList()).containsExactly("entry,kind,source,runs,data.sigma,final_loss",
                "a,run," + a + ",1,0.4,4.5", "b,run," + b + ",1,0.0,3.5");
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Path a = run("a", 0.4, 4.5);
        var unknown = CliTest.gaplab("compare", a.toString(), "--metrics", "nope");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no entry has 'nope'; known: final_loss");
        var notARun = CliTest.gaplab("compare", dir.toString());
        assertThat(notARun.code()).isEqualTo(2);
        assertThat(notARun.err()).contains("is neither a run directory");
    }
}
