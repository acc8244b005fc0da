package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
