package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Issue 28: README's study walkthrough, small: a temperature sweep measured run by run, one run
 * measured and embedded again from the sweep directory, and the comparison across tau with its
 * figures.
 */
class StudyWalkthroughTest {
    @TempDir
    Path dir;

    @Test
    void sweepMeasureCompareFigure() throws Exception {
        Path spec = dir.resolve("tau.yaml");
        Files.writeString(spec, "name: tau\n"
                + "base: {steps: 60, batch_size: 32, eval: {size: 200}, schedule: {log_every: 20}}\n"
                + "grid: {model.temperature.tau: [0.05, 0.2]}\n"
                + "seeds: 2\n");
        Path sweep = dir.resolve("sweeps/tau");
        String[] small = {"--measure-subsamples", "2", "--measure-subsample", "80", "--measure-permutations", "9"};
        CliTest.Outcome s = CliTest.gaplab(concat(new String[] {"sweep", "--config", spec.toString(), "--out", sweep.toString(),
            "--device", "cpu", "--measure"}, small));
        assertThat(s.code()).as(s.err()).isZero();
        List<String> csv = Files.readAllLines(sweep.resolve("runs.csv"));
        assertThat(csv.get(0)).contains("final_loss", "report.centroid_gap", "knn_jeffreys", "energy_distance");
        assertThat(csv).hasSize(5);
        for (int i = 0; i < 4; i++) {
            assertThat(sweep.resolve("measure/point-" + i + ".json")).isNotEmptyFile();
        }
        assertThat(Json.MAPPER.readTree(sweep.resolve("sweep.json").toFile()).path("final_loss_window_steps").asInt()).isEqualTo(2);

        // the same run measured from the sweep directory gives the sweep's report, number for number
        CliTest.Outcome m = CliTest.gaplab("measure", "--run", sweep.toString(), "--run-index", "3", "--device", "cpu", "--json",
                "--bootstrap", "2", "--subsample", "80", "--permutations", "9");
        assertThat(m.code()).as(m.err()).isZero();
        JsonNode again = Json.MAPPER.readTree(m.out().strip());
        JsonNode kept = Json.MAPPER.readTree(sweep.resolve("measure/point-3.json").toFile());
        assertThat(again.path("estimates")).isEqualTo(kept.path("estimates"));
        assertThat(again.path("theory")).isEqualTo(kept.path("theory"));
        assertThat(again.path("settings").path("tau").asDouble()).isCloseTo(0.2, org.assertj.core.api.Assertions.within(1e-6));
        CliTest.Outcome e = CliTest.gaplab("embed", "--run", sweep.toString(), "--run-index", "2", "--out", dir.resolve("emb").toString(),
                "--device", "cpu");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(dir.resolve("emb/z1.npy")).isNotEmptyFile();
        CliTest.Outcome bad = CliTest.gaplab("measure", "--run", sweep.toString(), "--run-index", "9", "--device", "cpu");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--run-index 9 is out of range");

        // compare across tau: one row per tau, mean and sd over the two seeds, with figures
        Path cmp = dir.resolve("cmp");
        CliTest.Outcome c = CliTest.gaplab("compare", sweep.toString(), "--metrics", "knn_jeffreys,report.centroid_gap,final_loss",
                "--out", cmp.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("tau tau=0.05", "tau tau=0.2", "knn_jeffreys_sd")
                .contains("knn_jeffreys: independent sample, mean of 2 subsamples (m = 80)");
        JsonNode j = Json.MAPPER.readTree(cmp.resolve("compare.json").toFile());
        assertThat(j.path("entries")).hasSize(2);
        assertThat(j.path("entries").get(0).path("runs").asInt()).isEqualTo(2);
        assertThat(cmp.resolve("metrics.png")).isNotEmptyFile();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
