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
        return run(name, sigma, loss, 0);
    }

    private Path run(String name, double sigma, double loss, long seed) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("summary.json"), "{\"status\":\"completed\",\"final_loss\":" + loss
                + ",\"steps_per_second\":100,\"eval\":{\"n\":8000,\"mean_pair_cosine\":0.9,\"centroid_gap\":0.01,\"eval_loss\":4.7}}");
        RunConfig c = ConfigLoader.override(RunConfig.defaults(), java.util.Map.of("data.sigma", sigma, "steps", 300, "seed", seed));
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
        // the table (header and two rows), a blank line, then what each column is computed on
        assertThat(text.out().split("\n\n")[0].lines().toList()).hasSize(3);
        assertThat(text.out()).contains("final_loss: training loss, mean of the last log interval")
                .contains("centroid_gap: whole evaluation set");
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

    /** A gap report as {@code measure --out} writes it, reduced to what compare reads, plus a section compare has never seen. */
    private static void report(Path d, String source, double jeffreys, double gapFull) throws IOException {
        Files.createDirectories(d);
        Files.writeString(d.resolve("gap_report.json"), "{\"schema_version\":2,\"input\":{\"kind\":\"run\",\"source1\":\"" + source
                + " tower1 (step 300)\",\"n1\":500},\"settings\":{\"subsamples\":20,\"subsample_size\":2000,\"marginal\":\"one-to-one\"},"
                + "\"estimates\":[{\"name\":\"centroid_gap\",\"sample\":\"independent\",\"full\":" + gapFull + ",\"mean\":0.2,\"std\":0.01,"
                + "\"reliable\":true},{\"name\":\"knn_jeffreys\",\"sample\":\"independent\",\"full\":null,\"mean\":" + jeffreys
                + ",\"std\":0.5,\"reliable\":false}],"
                + "\"permutation_tests\":[{\"statistic\":\"energy_distance\",\"observed\":0.1,\"p_value\":0.005}],"
                + "\"theory\":{\"tau\":0.07,\"large_batch_energy\":-0.8,\"finite_batch\":[{\"batch_size\":16,\"loss_minus_log_b\":-0.7}]},"
                + "\"new_section\":{\"rmg\":0.42},\"timing_seconds\":{\"total\":3.0}}");
    }

    /** Issue 28: any numeric statistic of a gap report is a metric; seeds of one setting are grouped with mean, sd and n. */
    @Test
    void measurementsAreMetricsAndSeedsAreGrouped() throws IOException {
        Path s0 = run("tau-s0", 0.4, 4.0, 0);
        Path s1 = run("tau-s1", 0.4, 6.0, 1);
        Path other = run("other", 0.0, 3.0, 0);
        report(s0, s0.toString(), 1.0, 0.05);          // measure --out into the run directory
        report(s1, s1.toString(), 3.0, 0.07);
        Path m = dir.resolve("gap-other");            // measure --out into a directory of its own
        report(m, other.toString(), 10.0, 0.3);
        Comparison c = Comparison.read(List.of(s0, s1, m), false);
        assertThat(c.entries()).hasSize(2);
        Comparison.Entry g = c.entries().get(0);
        assertThat(g.runs()).isEqualTo(2);
        assertThat(g.kind()).isEqualTo("group");
        assertThat(g.metrics().get("knn_jeffreys")).isEqualTo(2.0);
        assertThat(g.sd().get("knn_jeffreys")).isCloseTo(Math.sqrt(2), within(1e-12));
        assertThat(g.metrics().get("final_loss")).isEqualTo(5.0);
        // the run's own centroid_gap keeps its name; the report's whole-set value is report.centroid_gap
        assertThat(g.metrics().get("centroid_gap")).isEqualTo(0.01);
        assertThat(g.metrics().get("report.centroid_gap")).isCloseTo(0.06, within(1e-12));
        assertThat(g.metrics().get("centroid_gap.mean")).isEqualTo(0.2);
        assertThat(g.metrics()).containsKeys("permutation_tests.energy_distance.p_value", "theory.large_batch_energy",
                "theory.finite_batch.16.loss_minus_log_b", "new_section.rmg").doesNotContainKey("timing_seconds.total");
        // the measurement directory found the run it measured: its settings are the run's
        Comparison.Entry alone = c.entries().get(1);
        assertThat(alone.kind()).isEqualTo("measure");
        assertThat(alone.settings()).containsEntry("data.sigma", 0.0);
        assertThat(alone.metrics().get("centroid_gap")).isEqualTo(0.3);
        assertThat(c.differingSettings()).containsExactly("data.sigma", "seed");
        assertThat(g.settings()).containsEntry("seed", "0 1");
        // the table says what each column is computed on
        List<String> legend = c.legend(List.of("knn_jeffreys", "report.centroid_gap"));
        assertThat(legend).anySatisfy(l -> assertThat(l).startsWith("entries of several runs"))
                .anySatisfy(l -> assertThat(l).isEqualTo("knn_jeffreys: independent sample, mean of 20 subsamples (m = 2000),"
                        + " marginal one-to-one (flagged unreliable)"))
                .anySatisfy(l -> assertThat(l).isEqualTo("report.centroid_gap: whole set, marginal one-to-one"));
        var ok = CliTest.gaplab("compare", s0.toString(), s1.toString(), m.toString(), "--metrics", "new_section.rmg,knn_jeffreys");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("new_section.rmg", "knn_jeffreys_sd", "1.4142");
        var unknown = CliTest.gaplab("compare", s0.toString(), "--metrics", "rmg2");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no entry has 'rmg2'; known: ").contains("knn_jeffreys", "new_section.rmg");
        // --per-run keeps every run
        assertThat(Comparison.read(List.of(s0, s1, m), true).entries()).hasSize(3);
        // a measurement of a run that is compared too is not another run: it adds to that run
        Path again = dir.resolve("gap-s1-again");
        report(again, s1.toString(), 99.0, 0.9);
        Files.writeString(again.resolve("gap_report.json"), Files.readString(again.resolve("gap_report.json"))
                .replace("\"new_section\"", "\"extra_section\":{\"only_here\":5.0},\"new_section\""));
        Comparison withAgain = Comparison.read(List.of(s0, s1, m, again), false);
        assertThat(withAgain.entries()).hasSize(2);
        assertThat(withAgain.entries().get(0).runs()).isEqualTo(2);
        assertThat(withAgain.entries().get(0).metrics().get("knn_jeffreys")).isEqualTo(2.0);   // the run's own report kept
        assertThat(withAgain.entries().get(0).metrics().get("extra_section.only_here")).isEqualTo(5.0);
    }
}
