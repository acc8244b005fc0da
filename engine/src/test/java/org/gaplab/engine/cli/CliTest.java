package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

class CliTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one in-process invocation. */
    record Outcome(int code, String out, String err) {}

    /**
     * A refusal as users must see it: exit 2, every fragment in the one "gaplab: error:" line, and
     * no stack trace, internal error or exception name.
     */
    static void assertRefused(Outcome o, String... fragments) {
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        String line = o.err().lines().filter(l -> l.startsWith("gaplab: error:")).findFirst().orElse("");
        for (String f : fragments) {
            assertThat(line).contains(f);
        }
        assertThat(o.err()).doesNotContain("\tat ").doesNotContain("internal error").doesNotContain("Exception");
    }

    /** Copies a run directory's files into {@code dir/name} (tests damage or refuse the copy, never the run). */
    static Path copyOfRun(Path run, Path dir, String name) throws java.io.IOException {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    static Outcome gaplab(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            var cl = GaplabCli.commandLine();
            cl.setErr(new java.io.PrintWriter(System.err, true));
            cl.setOut(new java.io.PrintWriter(System.out, true));
            int code = cl.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void assertUsageError(Outcome o, String fragment) {
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        String line = o.err().lines().filter(l -> l.startsWith("gaplab: error:")).findFirst().orElse("");
        assertThat(line).contains(fragment);
        assertThat(o.err()).doesNotContain("\tat org.gaplab");
    }

    @Test
    void trainJsonPrintsOneObjectAndWritesTheRunDirectory() throws Exception {
        Path out = dir.resolve("r");
        Outcome o = gaplab("train", "--json", "--device", "cpu", "--set", "steps=60", "--set", "eval.size=500", "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(o.out().strip());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("steps").asInt()).isEqualTo(60);
        assertThat(j.path("final_loss").asDouble()).isBetween(0.0, 20.0);
        assertThat(j.path("eval").path("mean_pair_cosine").isNumber()).isTrue();
        assertThat(j.path("steps_per_second").asDouble()).isPositive();
        assertThat(Files.readString(out.resolve("provenance.json"))).contains("\"pytorch\"").contains("\"device\" : \"cpu()\"")
                .contains("\"native_allocator\" : \"");     // what the allocator policy did, not null
        // a second train into the same directory would clobber it
        assertUsageError(gaplab("train", "--device", "cpu", "--set", "steps=10", "--out", out.toString()), "already holds a run");
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() throws Exception {
        assertUsageError(gaplab("train", "--set", "optim.lrr=1"), "unknown config key 'optim.lrr'");
        assertUsageError(gaplab("train", "--set", "model.temperature.tau=-1"), "tau: must be > 0");
        assertUsageError(gaplab("train", "--set", "batch_size=1"), "batch_size: must be >= 2");
        assertUsageError(gaplab("train", "--config", dir.resolve("nope.yaml").toString()), "does not exist");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "steps: [\n");
        assertUsageError(gaplab("train", "--config", bad.toString()), "not valid YAML");
        assertUsageError(gaplab("train", "--device", "tpu"), "device: expected auto, cpu, cuda or cuda:N");
        assertUsageError(gaplab("train", "--resume", dir.resolve("none").toString()), "no checkpoint.ckpt");
        assertUsageError(gaplab("train", "--no-such-flag"), "Unknown option");
    }

    /** Paired feature files: each bad file is one line naming it, exit 2, and no run directory is left. */
    @Test
    void badDataFilesAreOneLineAndExitCodeTwo() throws Exception {
        Path x = dir.resolve("x.csv");
        Files.writeString(x, "1,2\n3,4\n5,6\n");
        Path short2 = dir.resolve("short.csv");
        Files.writeString(short2, "1,2\n3,4\n");
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "1,2\n3,nan\n5,6\n");
        Path out = dir.resolve("never");
        String[] base = {"train", "--device", "cpu", "--set", "steps=5", "--set", "data.kind=files", "--out", out.toString(),
            "--set", "data.x=" + x};
        assertUsageError(gaplab(concat(base, "--set", "data.y=" + short2)), "has 2 rows but");
        assertUsageError(gaplab(concat(base, "--set", "data.y=" + nan)), "'nan' is not a number");
        assertUsageError(gaplab(concat(base, "--set", "data.y=" + dir.resolve("missing.npy"))), "missing.npy: no such file");
        assertThat(out).doesNotExist();
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void cudaRequestWithoutAGpuIsAnErrorNotASilentCpuRun() {
        Outcome o = gaplab("train", "--device", "cuda", "--set", "steps=5");
        assertUsageError(o, "CUDA was requested (--device cuda:0) but cannot be used");
        assertThat(o.out()).isEmpty();
    }

    @Test
    void infoAndBenchPrintJson() throws Exception {
        Outcome info = gaplab("info", "--json");
        assertThat(info.code()).isZero();
        JsonNode j = Json.MAPPER.readTree(info.out());
        assertThat(j.path("djl").asText()).isEqualTo("0.36.0");
        assertThat(j.path("pytorch").asText()).isEqualTo("2.7.1");
        assertThat(j.path("auto_device").asText()).isEqualTo("cpu()");
        Outcome bench = gaplab("bench", "--json", "--device", "cpu", "--case", "default", "--steps", "20", "--warmup", "2", "--runs", "2");
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode b = Json.MAPPER.readTree(bench.out());
        assertThat(b.path("cases").get(0).path("steps_per_second").asDouble()).isPositive();
        assertThat(b.path("cases").get(0).path("run_steps_per_second").asDouble())
                .isCloseTo(2 * b.path("cases").get(0).path("steps_per_second").asDouble(), org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void helpTeaches() {
        Outcome o = gaplab("train", "--help");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("--set").contains("--resume").contains("sigma = 0.4").contains("--device");
    }

    /** Every command's help renders whole: a stray '%' in a description makes picocli warn and print it raw. */
    @Test
    void everyCommandsHelpRendersWithoutFormatWarnings() {
        java.util.List<String[]> paths = new java.util.ArrayList<>();
        collect(GaplabCli.commandLine(), new java.util.ArrayList<>(), paths);
        assertThat(paths.size()).isGreaterThan(10);
        for (String[] path : paths) {
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            Outcome o = gaplab(args);
            assertThat(o.code()).as(String.join(" ", args)).isZero();
            assertThat(o.err()).as(String.join(" ", args)).doesNotContain("picocli WARN");
            assertThat(o.out()).as(String.join(" ", args)).contains("Usage: gaplab").doesNotContain("%n");
        }
    }

    private static void collect(picocli.CommandLine cl, java.util.List<String> prefix, java.util.List<String[]> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().name().equals(e.getKey()) && !e.getKey().equals("help")) {
                java.util.List<String> p = new java.util.ArrayList<>(prefix);
                p.add(e.getKey());
                out.add(p.toArray(String[]::new));
                collect(e.getValue(), p, out);
            }
        }
    }
}
