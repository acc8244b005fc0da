package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.cli.ExitCodes;
import org.gaplab.engine.cli.GaplabCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * aligned-start, sharpening and gibbs-limit from the command line: outputs and figures, config keys
 * through {@code --set}, shards merged into the outputs of one run, and a one-step run that supports
 * nothing.
 */
class NewReproductionsTest {
    @Test
    void aOneStepRunSupportsNoClaimOfTheNewStudies(@TempDir Path tmp) throws Exception {
        for (String[] e : List.of(new String[] {"aligned-start", "aligned_start.json"}, new String[] {"sharpening", "sharpening.json"},
                new String[] {"gibbs-limit", "gibbs_limit.json"})) {
            Path out = tmp.resolve(e[0]);
            int code = GaplabCli.commandLine().execute("reproduce", e[0], "--quick", "--steps", "1", "--device", "cpu", "--out", out.toString());
            assertThat(code).as(e[0]).isEqualTo(ExitCodes.OK);
            JsonNode claims = Json.MAPPER.readTree(out.resolve(e[1]).toFile()).get("claims");
            assertThat(claims).as(e[0]).isNotEmpty();
            for (JsonNode c : claims) {
                assertThat(c.get("verdict").asText()).as(e[0] + ": " + c.get("statement").asText()).isNotEqualTo("SUPPORTED");
            }
            assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims");
        }
        // one step leaves the loss curve too short for the drift rule: every sharpening run is flagged unconverged
        JsonNode cells = Json.MAPPER.readTree(tmp.resolve("sharpening").resolve("sharpening.json").toFile()).get("cells");
        for (JsonNode c : cells) {
            assertThat(c.get("converged").asInt()).isZero();
        }
    }

    @Test
    void quickRunsWriteTheirFiguresAndTakeSetKeys(@TempDir Path tmp) throws Exception {
        Path as = tmp.resolve("as");
        assertThat(GaplabCli.commandLine().execute("reproduce", "aligned-start", "--quick", "--set", "digits=false", "--set", "sigmas=[0.0, 0.6]",
                "--device", "cpu", "--out", as.toString())).isEqualTo(ExitCodes.OK);
        JsonNode doc = Json.MAPPER.readTree(as.resolve("aligned_start.json").toFile());
        assertThat(doc.get("config").get("digits").asBoolean()).isFalse();
        assertThat(doc.get("runs")).hasSize(2 * 2 * 2);
        for (JsonNode run : doc.get("runs")) {
            // the path starts at step 0 and ends at the last step; an aligned start has no centroid gap from the towers at step 0
            assertThat(run.get("path_steps").get(0).asInt()).isZero();
            assertThat(run.get("path_steps").get(run.get("path_steps").size() - 1).asInt()).isEqualTo(100);
            if (run.get("overrides").get("start").asText().equals("aligned") && run.get("overrides").get("sigma").asDouble() == 0) {
                assertThat(run.get("metrics").get("centroid_gap_0").asDouble()).isLessThan(0.05);
            }
        }
        FigureFiles.assertValid(as.resolve("path_circle_J"));
        FigureFiles.assertValid(as.resolve("path_circle_gap"));
        Path sh = tmp.resolve("sh");
        assertThat(GaplabCli.commandLine().execute("reproduce", "sharpening", "--quick", "--set", "taus=[0.5, 0.05]", "--device", "cpu", "--out",
                sh.toString())).isEqualTo(ExitCodes.OK);
        assertThat(Files.readAllLines(sh.resolve("cells.csv"))).hasSize(1 + 2 * 2);
        FigureFiles.assertValid(sh.resolve("gap_vs_tau"));
        Path gl = tmp.resolve("gl");
        assertThat(GaplabCli.commandLine().execute("reproduce", "gibbs-limit", "--quick", "--set", "steps=30", "--device", "cpu", "--out",
                gl.toString())).isEqualTo(ExitCodes.OK);
        FigureFiles.assertValid(gl.resolve("bias_vs_h2"));
        assertThat(Files.readAllLines(gl.resolve("runs.csv"))).hasSize(1 + 2 * 2);
        // a tau the largest bandwidth cannot resolve is a one-line usage error
        assertThat(GaplabCli.commandLine().execute("reproduce", "gibbs-limit", "--quick", "--set", "taus=[0.1]", "--device", "cpu", "--out",
                tmp.resolve("bad").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    void mergedShardsOfTheNewStudiesEqualOneRun(@TempDir Path tmp) throws Exception {
        ExperimentShardingTest.assertMergeEqualsOneRun(new String[] {"reproduce", "gibbs-limit", "--quick", "--set", "steps=30", "--device",
            "cpu"}, tmp.resolve("gl"));
        ExperimentShardingTest.assertMergeEqualsOneRun(new String[] {"reproduce", "aligned-start", "--quick", "--set", "steps=40",
            "--set", "path=[0, 20]", "--device", "cpu"}, tmp.resolve("as"));
    }
}
