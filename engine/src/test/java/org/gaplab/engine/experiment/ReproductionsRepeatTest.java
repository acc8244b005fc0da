package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.cli.GaplabCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every reproduction repeats itself: each experiment's quick mode, run twice in fresh processes with
 * the same threads, writes the same tables, JSON, summaries and figures byte for byte, timings aside
 * (issue 25: two runs of gap-control once differed, from gradients that read freed memory).
 */
class ReproductionsRepeatTest {
    @TempDir
    Path dir;

    @Test
    void everyQuickModeGivesTheSameOutputsInTwoFreshProcesses() throws Exception {
        for (String name : Experiments.all().keySet()) {
            Path a = dir.resolve(name + "-a");
            Path b = dir.resolve(name + "-b");
            // the two processes run side by side: neither sees the other's files, and results must not depend on timing
            Process pa = start("reproduce", name, "--quick", "--threads", "2", "--out", a.toString());
            Process pb = start("reproduce", name, "--quick", "--threads", "2", "--out", b.toString());
            finish(pa, name + " (first)");
            finish(pb, name + " (second)");
            ExperimentShardingTest.assertSameOutputs(a, b);
        }
    }

    /** Starts the CLI in a fresh JVM on this test's class path. */
    private static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Djava.awt.headless=true", "-Dai.djl.offline=true", GaplabCli.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Waits for the process; fails the test unless it exits 0. */
    private static void finish(Process p, String what) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(what).isTrue();
        assertThat(p.exitValue()).as(what + "\n" + out).isZero();
    }
}
