package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.rundir.DirectorySnapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Issue 17: refused operations change nothing (byte-identical directories), damaged inputs are
 * user errors, one writer per directory, and --json reports failures as JSON.
 */
class RefusalTest {
    @TempDir
    static Path shared;

    /** A finished 60-step run that tests copy before damaging. */
    static Path run;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainOnce() {
        run = shared.resolve("run");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=60", "--set", "eval.size=200",
                "--set", "schedule.log_every=20", "--set", "schedule.checkpoint_every=20", "--out", run.toString());
        assertThat(o.code()).as(o.err()).isZero();
    }

    static void assertRefused(CliTest.Outcome o, String... fragments) {
        CliTest.assertRefused(o, fragments);
    }

    Path copyOfRun(String name) throws IOException {
        return CliTest.copyOfRun(run, dir, name);
    }

    @Test
    void aResumeWithAnotherConfigIsRefusedAndChangesNothing() throws Exception {
        Path r = copyOfRun("r");
        DirectorySnapshot before = DirectorySnapshot.of(r);
        assertRefused(CliTest.gaplab("train", "--resume", r.toString(), "--set", "data.sigma=0.1", "--set", "steps=80"),
                "belongs to a different config");
        before.assertUnchanged();
        // the plain resume still works afterwards
        CliTest.Outcome ok = CliTest.gaplab("train", "--resume", r.toString(), "--set", "steps=80", "--json");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(Json.MAPPER.readTree(ok.out()).path("steps").asInt()).isEqualTo(20);
    }

    @Test
    void corruptCheckpointsAreOneLineExitTwoAndTouchNothing() throws Exception {
        byte[] good = Files.readAllBytes(run.resolve(Checkpoint.FILE_NAME));
        byte[] flipped = good.clone();
        for (int i = good.length / 3; i < good.length / 3 + 64; i++) {
            flipped[i] ^= 0x5a;
        }
        ByteArrayOutputStream foreign = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(foreign)) {
            zip.putNextEntry(new ZipEntry("hello.txt"));
            zip.write("not a checkpoint".getBytes());
            zip.closeEntry();
        }
        Map<String, byte[]> damages = Map.of("truncated", java.util.Arrays.copyOf(good, good.length / 2), "flipped", flipped,
                "empty", new byte[0], "foreign", foreign.toByteArray());
        for (var d : damages.entrySet()) {
            Path r = copyOfRun(d.getKey());
            Files.write(r.resolve(Checkpoint.FILE_NAME), d.getValue());
            DirectorySnapshot before = DirectorySnapshot.of(r);
            assertRefused(CliTest.gaplab("train", "--resume", r.toString(), "--set", "steps=80"), "checkpoint");
            before.assertUnchanged();
            assertRefused(CliTest.gaplab("measure", "--run", r.toString(), "--device", "cpu"), "checkpoint");
            before.assertUnchanged();
        }
    }

    @Test
    void aResumeAtTheFinalStepReportsTheLoggedFinalLoss() throws Exception {
        Path r = copyOfRun("final");
        CliTest.Outcome o = CliTest.gaplab("train", "--resume", r.toString(), "--json");
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(o.out());
        JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
        assertThat(j.path("final_loss").isNumber()).as(o.out()).isTrue();
        assertThat(j.path("final_loss").asDouble()).isEqualTo(summary.path("final_loss").asDouble());
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolderAndAStaleLockDoesNotBlock() throws Exception {
        Path out = dir.resolve("busy");
        try (DirectoryLock held = DirectoryLock.acquire(out, "a test")) {
            DirectorySnapshot before = DirectorySnapshot.of(out);
            CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--set", "eval.size=100",
                    "--out", out.toString());
            assertRefused(o, "is being written by process " + ProcessHandle.current().pid() + " (a test)");
            before.assertUnchanged();
        }
        // released cleanly, the lock of a directory it created and left empty goes with it (issue 27: a refused
        // command leaves no lock file); a kill -9 leaves one behind: nobody holds it, so it does not block
        assertThat(out).doesNotExist();
        Files.createDirectories(out);
        Files.writeString(out.resolve(DirectoryLock.FILE_NAME), "pid 999999 (gaplab train)\n");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--set", "eval.size=100",
                "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
    }

    @Test
    void reproduceAndSweepOutputsAreLockedAndSweepsAreAdmitted() throws Exception {
        Path out = dir.resolve("repro");
        try (DirectoryLock held = DirectoryLock.acquire(out, "another reproduce")) {
            DirectorySnapshot before = DirectorySnapshot.of(out);
            assertRefused(CliTest.gaplab("reproduce", "grad-consistency", "--quick", "--device", "cpu", "--out", out.toString()),
                    "(another reproduce)");
            before.assertUnchanged();
        }
        Path spec = dir.resolve("sweep.yaml");
        // whole-graph autograd keeps [K, B, B] arrays (10 x 2 x 8192^2 x 4 bytes), far over 1 GiB; the blocked
        // closed-form route would fit and train
        Files.writeString(spec, "name: big\nbase: {batch_size: 8192, eval: {size: 100}, loss: {closed_form: false}}\n"
                + "grid: {data.sigma: [0.0, 0.5]}\n");
        Path sweepOut = dir.resolve("sweep");
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--device", "cpu", "--memory-budget", "1g",
                "--out", sweepOut.toString()), "lower batch_size");
        assertThat(sweepOut).doesNotExist();
    }

    @Test
    void jsonFailuresAreAJsonObjectOnStdout() throws Exception {
        for (String[] args : new String[][] {{"train", "--json", "--set", "steps=2.5"}, {"train", "--json", "--no-such-flag"},
            {"train", "--json", "--resume", dir.resolve("none").toString()}}) {
            CliTest.Outcome o = CliTest.gaplab(args);
            assertThat(o.code()).isEqualTo(ExitCodes.USAGE);
            JsonNode j = Json.MAPPER.readTree(o.out());
            assertThat(j.path("status").asText()).isEqualTo("error");
            assertThat(j.path("exit_code").asInt()).isEqualTo(2);
            assertThat(j.path("error").asText()).isNotBlank();
        }
    }

    @Test
    void anEmptyOutputPathAndAbsurdThreadCountsAreRefused() {
        assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "steps=5", "--out", ""), "got ''");
        assertRefused(CliTest.gaplab("merge", run.toString(), "--out", ""), "got ''");
        assertRefused(CliTest.gaplab("train", "--threads", "100000", "--set", "steps=5"), "--threads must be at most");
    }
}
