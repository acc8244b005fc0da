package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.GaplabException;
import org.gaplab.core.UnavailableException;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;
import org.gaplab.datasets.SourceConfig;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.SourceKinds;
import org.gaplab.engine.report.RunLogFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Exit 2 is for input the user can fix; a bug is exit 1 with "internal error" and where the details are. */
class ExitCodesTest {
    @TempDir
    Path dir;

    /** A data source with a bug: it fails on its first training batch (injected through the public registry). */
    public record BuggyConfig(int dim) implements SourceConfig {
        static final String KIND = "buggy-test-source";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public PairedSource build() {
            return new PairedSource() {
                @Override
                public int dimX() {
                    return dim;
                }

                @Override
                public int dimY() {
                    return dim;
                }

                @Override
                public NDList sampleTrain(NDManager manager, long seed, int n, DataType dataType) {
                    throw new IllegalStateException("injected bug: no training batch");
                }

                @Override
                public NDList evaluationSet(NDManager manager, long seed, int n, DataType dataType) {
                    throw new IllegalStateException("injected bug: no evaluation set");
                }
            };
        }
    }

    @BeforeAll
    static void registerBuggySource() {
        int dim = RunConfig.defaults().model().tower1().inputDim();
        SourceKinds.register(BuggyConfig.KIND, BuggyConfig.class, () -> new BuggyConfig(dim));
    }

    /** Outcome of {@link GaplabCli#failed} for one exception. */
    private record Mapped(int code, String err, String out) {}

    private static Mapped map(Throwable t) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cmd = GaplabCli.commandLine(); // also forgets any earlier command's log
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(out, true));
        int code = GaplabCli.failed(t, cmd, false, true);
        return new Mapped(code, err.toString(), out.toString());
    }

    @Test
    void categoriesCarryTheCliExitCodes() {
        assertThat(GaplabException.Category.BAD_INPUT.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(GaplabException.Category.UNAVAILABLE.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(GaplabException.Category.INTERNAL.exitCode()).isEqualTo(ExitCodes.INTERNAL);
        assertThat(GaplabException.Category.of(new ConfigException("x"))).isEqualTo(GaplabException.Category.BAD_INPUT);
        assertThat(GaplabException.Category.of(new IllegalArgumentException("x"))).isEqualTo(GaplabException.Category.INTERNAL);
    }

    @Test
    void userInputAndUnavailableResourcesAreOneLineAndExitTwo() {
        for (RuntimeException e : new RuntimeException[] {new UserException("steps: must be >= 1, got 0"),
            new ConfigException("unknown config key 'optim.lrr'"), new UnavailableException("cannot write out/x.json: Read-only")}) {
            Mapped m = map(e);
            assertThat(m.code()).as(e.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(m.err().lines().toList()).containsExactly("gaplab: error: " + e.getMessage());
            assertThat(m.out()).contains("\"exit_code\":2").contains("\"status\":\"error\"");
        }
    }

    @Test
    void aPlainRuntimeExceptionIsABugNotBadInput() {
        // these were "bad input" (exit 2) before: IllegalArgumentException and IOException, whatever threw them
        for (RuntimeException e : new RuntimeException[] {new IllegalStateException("loop invariant broken"),
            new NullPointerException("model was null"), new IllegalArgumentException("shape [3] does not hold 4 values"),
            new java.io.UncheckedIOException(new java.io.IOException("stream closed"))}) {
            Mapped m = map(e);
            assertThat(m.code()).as(e.toString()).isEqualTo(ExitCodes.INTERNAL);
            // the stack trace first, then one line that says what happened and where the details are
            assertThat(m.err()).contains("\tat org.gaplab").doesNotContain("gaplab: error:");
            assertThat(m.err().lines().reduce((a, b) -> b).orElse("")).isEqualTo("gaplab: internal error: " + e
                    + "; details in the stack trace above (a bug in gaplab, not in your input; please report it with the details)");
            assertThat(m.out()).contains("\"exit_code\":1").contains("\"status\":\"internal_error\"");
        }
    }

    @Test
    void anInternalErrorAfterARunLogWasAttachedPutsTheStackTraceThere() throws Exception {
        Path log = dir.resolve("train.log");
        StringWriter err = new StringWriter();
        CommandLine cmd = GaplabCli.commandLine();
        cmd.setErr(new PrintWriter(err, true));
        try (RunLogFile ignored = RunLogFile.attach(log)) {
            org.apache.logging.log4j.LogManager.getLogger(ExitCodesTest.class).info("a step");
        }
        int code = GaplabCli.failed(new IllegalStateException("boom"), cmd, false, false);
        assertThat(code).isEqualTo(ExitCodes.INTERNAL);
        assertThat(err.toString().lines().toList()).singleElement().asString()
                .startsWith("gaplab: internal error: java.lang.IllegalStateException: boom; details in " + log + " (a bug in gaplab");
        assertThat(Files.readString(log)).contains("a step").contains("ERROR GaplabCli - internal error: java.lang.IllegalStateException: boom")
                .contains("\tat org.gaplab.engine.cli.ExitCodesTest");
    }

    @Test
    void aBugInsideATrainingRunExitsOneAndPointsAtTheRunLog() throws Exception {
        Path out = dir.resolve("run");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "data.kind=" + BuggyConfig.KIND,
                "--set", "steps=5", "--set", "eval.size=100", "--out", out.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.INTERNAL);
        Path log = out.resolve("train.log");
        assertThat(o.err()).contains("gaplab: internal error: java.lang.IllegalStateException: injected bug: no training batch; details in "
                + log).doesNotContain("gaplab: error:");
        assertThat(Files.readString(log)).contains("injected bug: no training batch").contains("\tat org.gaplab.engine.cli.ExitCodesTest");
    }

    @Test
    void badInputToTheSameCommandStillExitsTwo() {
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "data.kind=" + BuggyConfig.KIND,
                "--set", "steps=0", "--out", dir.resolve("never").toString());
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err().lines().filter(l -> l.startsWith("gaplab: error:")).toList()).singleElement().asString()
                .contains("steps");
        assertThat(o.err()).doesNotContain("internal error").doesNotContain("\tat org.gaplab");
        assertThat(dir.resolve("never")).doesNotExist();
    }
}
