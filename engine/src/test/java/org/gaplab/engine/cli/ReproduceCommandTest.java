package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.FigureFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code gaplab reproduce} through picocli: registration, help, a quick run, and bad input. */
class ReproduceCommandTest {
    @Test
    void quickGradConsistencyRunsFromTheCommandLine(@TempDir Path out) {
        int code = GaplabCli.commandLine().execute("reproduce", "grad-consistency", "--quick", "--seeds", "2",
                "--device", "cpu", "--out", out.toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        assertThat(out.resolve("grad_consistency.json")).isNotEmptyFile();
        assertThat(out.resolve("summary.md")).isNotEmptyFile();
    }

    /**
     * {@code reproduce corruption --quick} end to end: every p has its runs and sane statistics,
     * clean pairs retrieve far above chance (1/359), and the figures are written.
     */
    @Test
    void quickCorruptionRunsFromTheCommandLine(@TempDir Path out) throws Exception {
        int code = GaplabCli.commandLine().execute("reproduce", "corruption", "--quick", "--seeds", "1", "--device", "cpu",
                "--out", out.toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        JsonNode doc = Json.MAPPER.readTree(out.resolve("corruption.json").toFile());
        assertThat(doc.get("experiment").asText()).isEqualTo("corruption");
        JsonNode points = doc.get("points");
        assertThat(points).hasSize(5);
        for (JsonNode p : points) {
            assertThat(p.get("runs").asInt()).isEqualTo(1);
            assertThat(p.get("mean").get("eval_r1_1to2").asDouble()).isBetween(0.0, 1.0);
            assertThat(p.get("mean").get("eval_centroid_gap").asDouble()).isBetween(0.0, 2.0);
            assertThat(p.get("mean").get("eval_energy_distance").asDouble()).isFinite();
        }
        assertThat(points.get(0).get("value").asDouble()).isZero();
        assertThat(points.get(0).get("mean").get("eval_r1_1to2").asDouble()).isGreaterThan(0.1);
        assertThat(doc.get("claims")).hasSize(2);
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims");
        FigureFiles.assertValid(out.resolve("retrieval_vs_p"));
        FigureFiles.assertValid(out.resolve("gap_vs_p"));
    }

    /**
     * One training step learns nothing, so neither corruption claim may read SUPPORTED: the study
     * checks the runs against their untrained models before it tests any trend.
     */
    @Test
    void aOneStepModelSupportsNoCorruptionClaim(@TempDir Path out) throws Exception {
        int code = GaplabCli.commandLine().execute("reproduce", "corruption", "--quick", "--steps", "1", "--device", "cpu",
                "--out", out.toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        JsonNode claims = Json.MAPPER.readTree(out.resolve("corruption.json").toFile()).get("claims");
        assertThat(claims).hasSize(2);
        for (JsonNode c : claims) {
            assertThat(c.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
            assertThat(c.get("evidence").asText()).contains("did not learn");
        }
    }

    /**
     * {@code reproduce gap-control --quick} end to end on both datasets: the regulariser at
     * lambda = 30 leaves a smaller centroid gap than lambda = 0 on each, and the figures exist.
     */
    @Test
    void quickGapControlRunsFromTheCommandLine(@TempDir Path out) throws Exception {
        int code = GaplabCli.commandLine().execute("reproduce", "gap-control", "--quick", "--device", "cpu", "--out",
                out.toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        JsonNode doc = Json.MAPPER.readTree(out.resolve("gap_control.json").toFile());
        assertThat(doc.get("config").get("lambdas")).hasSize(2);
        for (String data : new String[] {"circle", "digits"}) {
            JsonNode runs = doc.get("curves").get(data).get("runs");
            assertThat(runs).as(data).hasSize(2);
            double gap0 = runs.get(0).get("metrics").get("eval_centroid_gap").asDouble();
            double gap30 = runs.get(1).get("metrics").get("eval_centroid_gap").asDouble();
            assertThat(gap30).as("%s: centroid gap at lambda 30 vs 0", data).isLessThan(gap0);
            FigureFiles.assertValid(out.resolve("gap_vs_lambda_" + data));
            FigureFiles.assertValid(out.resolve("retrieval_vs_lambda_" + data));
            assertThat(Files.readAllLines(out.resolve("gap_control_" + data + ".csv"))).hasSize(3);
        }
        // one seed per lambda cannot decide a comparison of means
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims", "**INCONCLUSIVE**")
                .doesNotContain("**SUPPORTED**");
    }

    @Test
    void helpExplainsEachExperimentAndBadInputExitsWithUsage() {
        StringWriter help = new StringWriter();
        int code = GaplabCli.commandLine().setOut(new PrintWriter(help)).execute("reproduce", "unimodal-gibbs", "--help");
        assertThat(code).isEqualTo(ExitCodes.OK);
        assertThat(help.toString()).contains("Gibbs", "--quick", "--seeds", "--steps", "--device", "Runtime");

        StringWriter err = new StringWriter();
        int bad = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("reproduce", "grad-consistency", "--steps", "5",
                "--device", "cpu");
        assertThat(bad).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--steps does not apply");
    }

    @Test
    void noFilesAreWrittenForAnUnknownDevice(@TempDir Path out) throws Exception {
        int code = GaplabCli.commandLine().setErr(new PrintWriter(new StringWriter()))
                .execute("reproduce", "grad-consistency", "--quick", "--device", "tpu", "--out", out.toString());
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        try (var files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }
}
