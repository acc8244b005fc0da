package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.rundir.DirectorySnapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Issue 27, the second hostile round: one test per row of its table (row 14, the Slurm test, is
 * {@code docker/slurm/local-cluster-test.sh}). Refusals are exit 2 with one line naming the option,
 * file or bound; the symlink, moved-directory and overwrite cases compare directories byte for byte.
 */
class HostileSecondRoundTest {
    @TempDir
    static Path shared;

    /** A finished 40-step run the tests copy. */
    static Path run;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainOnce() {
        run = shared.resolve("run");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=40", "--set", "eval.size=200",
                "--set", "schedule.log_every=20", "--set", "schedule.checkpoint_every=20", "--out", run.toString());
        assertThat(o.code()).as(o.err()).isZero();
    }

    static void assertRefused(CliTest.Outcome o, String... fragments) {
        CliTest.assertRefused(o, fragments);
    }

    Path copyOfRun(String name) throws IOException {
        return CliTest.copyOfRun(run, dir, name);
    }

    static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) Math.sin(i + 1));
        }
        return b.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    Path npy(String name, String shape, byte[] data) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, concat(NpyBytes.header("<f4", shape, false), data));
        return f;
    }

    // ---- row 1: measure --synthetic is admitted against --memory-budget and the variable alike ----

    @Test
    void row1SyntheticMeasurementIsAdmittedAgainstTheBudget() {
        assertRefused(CliTest.gaplab("measure", "--synthetic", "300000000", "--memory-budget", "1g", "--device", "cpu"),
                "measurement would need", "--synthetic", "--memory-budget");
        assertRefused(CliTest.gaplab("measure", "--synthetic", "2000000000", "--device", "cpu", "--json"), "measurement would need");
        System.setProperty(MemoryAdmission.BUDGET_PROPERTY, "1g"); // the same path as GAPLAB_MEMORY_BUDGET
        try {
            assertRefused(CliTest.gaplab("measure", "--synthetic", "300000000", "--device", "cpu"), MemoryAdmission.BUDGET_PROPERTY);
        } finally {
            System.clearProperty(MemoryAdmission.BUDGET_PROPERTY);
        }
    }

    // ---- row 2: readers compare the declared size with the real one before allocating ----

    @Test
    void row2HeadersThatDeclareMoreThanTheFileHoldsAreRefusedNamingTheFile() throws Exception {
        Path huge = npy("huge.npy", "(268435456, 4)", floats(8));
        assertThat(Files.size(huge)).isLessThan(200);
        Path ok = npy("ok.npy", "(4, 2)", floats(8));
        CliTest.Outcome o = CliTest.gaplab("measure", "--embeddings", huge.toString(), ok.toString(), "--json", "--device", "cpu");
        assertRefused(o, "huge.npy", "truncated", "268435456");
        JsonNode j = Json.MAPPER.readTree(o.out());
        assertThat(j.path("exit_code").asInt()).isEqualTo(2);
        assertRefused(CliTest.gaplab("measure", "--embeddings", npy("neg.npy", "(-500, 4)", floats(8)).toString(), ok.toString(),
                "--device", "cpu"), "neg.npy", "negative dimension");
        assertRefused(CliTest.gaplab("measure", "--embeddings", npy("big.npy", "(4611686018427387904, 4)", floats(8)).toString(),
                ok.toString(), "--device", "cpu"), "big.npy", "truncated");
        // a zip entry whose header declares 2^30 values but holds a few bytes (deflated), by name or alone
        Path npz = dir.resolve("bomb.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(npz))) {
            z.putNextEntry(new ZipEntry("image.npy"));
            z.write(concat(NpyBytes.header("<f4", "(268435456, 4)", false), new byte[4096]));
            z.closeEntry();
        }
        assertRefused(CliTest.gaplab("measure", "--embeddings", npz + ":image", ok.toString(), "--device", "cpu"),
                "bomb.npz:image", "truncated");
        // the same readers behind train (data.kind files) and embed --input
        assertRefused(CliTest.gaplab("embed", "--run", run.toString(), "--out", dir.resolve("e").toString(), "--input", huge.toString(),
                "--tower", "1", "--device", "cpu"), "huge.npy", "truncated");
        assertThat(dir.resolve("e")).doesNotExist();
        assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "data.kind=files", "--set", "data.x=" + huge,
                "--set", "data.y=" + ok, "--out", dir.resolve("t").toString()), "huge.npy");
        assertThat(dir.resolve("t")).doesNotExist();
    }

    // ---- row 3: no write follows a link out of the run directory ----

    @Test
    void row3ALinkedLockOrLogIsRefusedAndNothingOutsideChanges() throws Exception {
        Path r = copyOfRun("r");
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "the user's file\n");
        Files.deleteIfExists(r.resolve(DirectoryLock.FILE_NAME));
        Files.createSymbolicLink(r.resolve(DirectoryLock.FILE_NAME), Path.of("../victim.txt"));
        DirectorySnapshot before = DirectorySnapshot.of(dir);
        assertRefused(CliTest.gaplab("train", "--resume", r.toString(), "--set", "steps=60"), "symbolic link");
        before.assertUnchanged();
        assertThat(Files.readString(victim)).isEqualTo("the user's file\n");

        Path r2 = copyOfRun("r2");
        Files.delete(r2.resolve("train.log"));
        Files.createSymbolicLink(r2.resolve("train.log"), Path.of("../victim.txt"));
        DirectorySnapshot before2 = DirectorySnapshot.of(dir);
        assertRefused(CliTest.gaplab("train", "--resume", r2.toString(), "--set", "steps=60"), "symbolic link", "train.log");
        assertThat(Files.readString(victim)).isEqualTo("the user's file\n");
        before2.assertUnchanged(); // refused before anything is written, the lock file included
    }

    // ---- row 5: never overwrite what gaplab did not write ----

    @Test
    void row5OutputDirectoriesOfOtherFilesAreRefusedUnlessForced() throws Exception {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        for (String f : List.of("summary.json", "metrics.jsonl", "loss.png", "runs.csv", "provenance.json")) {
            Files.writeString(mine.resolve(f), "user data " + f + "\n");
        }
        DirectorySnapshot before = DirectorySnapshot.of(mine);
        assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--out", mine.toString()),
                "files gaplab did not write", "--force");
        before.assertUnchanged();
        assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--out", "/"), "root directory");
        assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--out", "/tmp"), "top-level");
        // a sweep or a reproduction at a train run directory
        Path r = copyOfRun("r");
        DirectorySnapshot runBefore = DirectorySnapshot.of(r);
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "name: s\nbase: {steps: 10, batch_size: 16, eval: {size: 50}}\nseeds: 2\n");
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--out", r.toString(), "--device", "cpu"),
                "holds a train run, not a sweep");
        assertRefused(CliTest.gaplab("reproduce", "grad-consistency", "--quick", "--out", r.toString(), "--device", "cpu"),
                "holds a train run, not a reproduction");
        runBefore.assertUnchanged();
        // a sweep merge into the user's runs.csv
        Path s0 = dir.resolve("s0");
        assertThat(CliTest.gaplab("sweep", "--config", spec.toString(), "--out", s0.toString(), "--device", "cpu").code()).isZero();
        assertRefused(CliTest.gaplab("merge", s0.toString(), "--out", mine.toString()), "files gaplab did not write");
        before.assertUnchanged();
        // --force writes among the user's files; other names are left
        Files.writeString(mine.resolve("notes.txt"), "keep me\n");
        CliTest.Outcome forced = CliTest.gaplab("merge", s0.toString(), "--out", mine.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("keep me\n");
        assertThat(Files.readString(mine.resolve("runs.csv"))).isEqualTo(Files.readString(s0.resolve("runs.csv")));
        // and a train run with --force
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "keep me\n");
        CliTest.Outcome t = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=20", "--set", "eval.size=50", "--out",
                other.toString(), "--force");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(Files.readString(other.resolve("notes.txt"))).isEqualTo("keep me\n");
    }

    // ---- row 6: names from configs never leave their directory ----

    @Test
    void row6DotNamesAreRefused() throws Exception {
        for (String name : List.of("..", ".", "...")) {
            Path spec = dir.resolve("dots.yaml");
            Files.writeString(spec, "name: '" + name + "'\nbase: {steps: 10}\nseeds: 1\n");
            assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--device", "cpu"), "sweep name", "not only dots");
            assertRefused(CliTest.gaplab("train", "--device", "cpu", "--set", "name=" + name, "--set", "steps=10"), "name",
                    "not only dots");
        }
        Path spec = dir.resolve("slash.yaml");
        Files.writeString(spec, "name: 'a/../../x'\nbase: {steps: 10}\nseeds: 1\n");
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--device", "cpu"), "sweep name");
    }

    // ---- row 7: a plan of 10^9 points is refused before any is built ----

    @Test
    void row7HugeSweepsAreRefusedBeforeThePlanIsBuilt() throws Exception {
        String grid = IntStream.range(0, 1000).mapToObj(i -> Double.toString(i / 1000.0)).collect(Collectors.joining(", "));
        Path spec = dir.resolve("huge.yaml");
        Files.writeString(spec, "name: huge\nbase: {steps: 10}\ngrid: {data.sigma: [" + grid + "]}\nseeds: {start: 0, count: 1000000}\n");
        long t0 = System.nanoTime();
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--plan", "--device", "cpu"), "1000000000 points",
                "1000000");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
    }

    // ---- row 8: options that size arrays are bounded ----

    @Test
    void row8OptionsThatSizeArraysAreBounded() throws Exception {
        assertRefused(CliTest.gaplab("measure", "--synthetic", "100", "--permutations", "2000000000", "--device", "cpu"),
                "--permutations must be between 0 and 100000");
        assertRefused(CliTest.gaplab("measure", "--synthetic", "100", "--bootstrap", "2000000000", "--device", "cpu"),
                "--bootstrap must be between 1 and 10000");
        assertRefused(CliTest.gaplab("measure", "--synthetic", "100", "--memory-mib", "100000000", "--device", "cpu"),
                "--memory-mib must be between 1 and 1048576");
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "name: s\nbase: {steps: 10, batch_size: 16, eval: {size: 50}}\nseeds: 2\n");
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--chunk", "2147483646", "--plan", "--device", "cpu"),
                "--chunk must be between 1 and 1000000");
        // the largest accepted chunk plans without overflow
        CliTest.Outcome plan = CliTest.gaplab("sweep", "--config", spec.toString(), "--chunk", "1000000", "--plan", "--device", "cpu");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(Json.MAPPER.readTree(plan.out()).path("chunks").asInt()).isEqualTo(1);
    }

    // ---- row 9: an interrupted merge leaves nothing that blocks the rerun ----

    @Test
    void row9AKilledMergeDoesNotBlockItsRerun() throws Exception {
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "name: s\nbase: {steps: 10, batch_size: 16, eval: {size: 50}}\nseeds: 2\nchunk: 1\n");
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertThat(CliTest.gaplab("sweep", "--config", spec.toString(), "--shard", "0/2", "--out", a.toString(), "--device", "cpu")
                .code()).isZero();
        assertThat(CliTest.gaplab("sweep", "--config", spec.toString(), "--shard", "1/2", "--out", b.toString(), "--device", "cpu")
                .code()).isZero();
        // what a merge killed half way leaves now: its staging directory beside M, never a partial M
        Path stale = dir.resolve(".m.staging-999999-1");
        Files.createDirectories(stale.resolve("sweep"));
        Files.writeString(stale.resolve("runs.jsonl"), "{\"index\": 0, \"torn");
        Files.writeString(stale.resolve(DirectoryLock.FILE_NAME), "pid 999999 (gaplab merge)\n");
        Path m = dir.resolve("m");
        CliTest.Outcome o = CliTest.gaplab("merge", a.toString(), b.toString(), "--out", m.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(stale).doesNotExist();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains("staging"))).isEmpty();
        }
        // a rerun over the earlier merge of the same sweep replaces it with the same table
        byte[] first = Files.readAllBytes(m.resolve("runs.jsonl"));
        CliTest.Outcome again = CliTest.gaplab("merge", a.toString(), b.toString(), "--out", m.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readAllBytes(m.resolve("runs.jsonl"))).isEqualTo(first);
        // an out left with only a lock file (a kill between lock and first write) is empty for a merge
        Path lockOnly = dir.resolve("lock-only");
        Files.createDirectories(lockOnly);
        Files.writeString(lockOnly.resolve(DirectoryLock.FILE_NAME), "pid 1 (gaplab merge)\n");
        assertThat(CliTest.gaplab("merge", a.toString(), b.toString(), "--out", lockOnly.toString()).code()).isZero();
        assertThat(Files.readAllBytes(lockOnly.resolve("runs.jsonl"))).isEqualTo(first);
    }

    // ---- row 9, as in the field: a reproduction merge stopped by SIGTERM, then the same merge again ----

    /** Reproduction shards (the sigma sweep in chunks of two, 60 steps), merged in a child JVM that is terminated. */
    @Test
    void row9AReproductionMergeTerminatedMidwayIsRetried() throws Exception {
        String[] gap = {"reproduce", "modality-gap", "--quick", "--set", "chunk=2", "--set", "steps=60", "--device", "cpu"};
        Path s0 = dir.resolve("s0");
        Path s1 = dir.resolve("s1");
        assertThat(CliTest.gaplab(concat(gap, "--shard", "0/2", "--out", s0.toString())).code()).isZero();
        assertThat(CliTest.gaplab(concat(gap, "--shard", "1/2", "--out", s1.toString())).code()).isZero();
        Path clean = dir.resolve("clean");
        assertThat(CliTest.gaplab("merge", s0.toString(), s1.toString(), "--out", clean.toString()).code()).isZero();
        // SIGTERM at several moments (before, during or after the merge's work: the property holds for each)
        for (long delayMs : new long[] {1200, 2500, 4000}) {
            Path m = dir.resolve("m-" + delayMs);
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                    GaplabCli.class.getName(), "merge", s0.toString(), s1.toString(), "--out", m.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Thread.sleep(delayMs);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            CliTest.Outcome again = CliTest.gaplab("merge", s0.toString(), s1.toString(), "--out", m.toString());
            assertThat(again.code()).as("rerun after SIGTERM at " + delayMs + " ms (exit " + p.exitValue() + "): " + again.err())
                    .isZero();
            assertThat(Files.readString(m.resolve("experiment.json"))).isEqualTo(Files.readString(clean.resolve("experiment.json"))
                    .replace(clean.toString(), m.toString()));
            try (var units = Files.list(m.resolve("units"))) {
                for (Path u : units.toList()) {
                    assertThat(Files.readAllBytes(u)).as(u.toString()).isEqualTo(Files.readAllBytes(clean.resolve("units").resolve(u.getFileName())));
                }
            }
            assertThat(Files.readAllBytes(m.resolve("sweep").resolve("runs.jsonl")))
                    .isEqualTo(Files.readAllBytes(clean.resolve("sweep").resolve("runs.jsonl")));
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(q -> q.getFileName().toString()).filter(n -> n.contains("staging"))).isEmpty();
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- also seen: a failure during embed leaves no z1.npy without its embed.json ----

    @Test
    void anEmbedThatFailsLeavesNoHalfWrittenOutputs() throws Exception {
        Path out = dir.resolve("emb");
        Files.createDirectories(out.resolve("embed.json").resolve("blocker")); // the last step cannot happen
        CliTest.Outcome o = CliTest.gaplab("embed", "--run", run.toString(), "--out", out.toString(), "--n", "100", "--device", "cpu");
        assertRefused(o, "cannot move the embeddings into", "directory not empty");
        try (var s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("embed.json");
        }
        Files.delete(out.resolve("embed.json").resolve("blocker"));
        Files.delete(out.resolve("embed.json"));
        CliTest.Outcome ok = CliTest.gaplab("embed", "--run", run.toString(), "--out", out.toString(), "--n", "100", "--device", "cpu");
        assertThat(ok.code()).as(ok.err()).isZero();
        try (var s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("z1.npy", "z2.npy", "embed.json");
        }
    }

    // ---- row 10: embed has its own admission, with its own words ----

    @Test
    void row10EmbedIsAdmittedAsAnEmbedding() throws Exception {
        CliTest.Outcome o = CliTest.gaplab("embed", "--run", run.toString(), "--out", dir.resolve("e").toString(), "--n", "400000000",
                "--memory-budget", "1g", "--device", "cpu");
        assertRefused(o, "embedding would need", "--n", "--memory-budget");
        assertThat(o.err()).doesNotContain("measurement");
        assertThat(dir.resolve("e")).doesNotExist();
        var config = org.gaplab.engine.config.ConfigLoader.load(run.resolve("config.json"), List.of());
        assertThat(MemoryAdmission.embedding(config, 20_000_000, "--n").bytes())
                .isLessThan(MemoryAdmission.measurement(config, 20_000_000, "--n").bytes());
    }

    // ---- row 11: a refused command creates no lock file ----

    @Test
    void row11ARefusedRenderLeavesNoLockBehind() throws Exception {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        Path fresh = dir.resolve("fresh");
        CliTest.Outcome o = CliTest.gaplab("reproduce", "unimodal-gibbs", "--from", empty.toString(), "--out", fresh.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(fresh).doesNotExist();
    }

    // ---- row 12: --no-normalize reports cosines and refuses or flags wide norms ----

    @Test
    void row12RawVectorsGiveCosinesAndWideNormsAreFlagged() throws Exception {
        int n = 300;
        java.util.Random rnd = new java.util.Random(1);
        double[] base = new double[n * 4];
        for (int i = 0; i < base.length; i++) {
            base[i] = rnd.nextGaussian();
        }
        Path b = writeScaled("b.npy", base, 1, n);
        Path b10 = writeScaled("b10.npy", base, 10, n);
        CliTest.Outcome o = CliTest.gaplab("measure", "--embeddings", b10.toString(), b.toString(), "--no-normalize", "--json",
                "--bootstrap", "2", "--permutations", "0", "--subsample", "100", "--device", "cpu");
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(o.out());
        assertThat(findNumber(j, "pair_cosine")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(j.path("notes").toString()).doesNotContain("row norms"); // a factor of 10 is not "widely"
        Path b300 = writeScaled("b300.npy", base, 300, n);
        CliTest.Outcome wide = CliTest.gaplab("measure", "--embeddings", b300.toString(), b.toString(), "--no-normalize", "--json",
                "--bootstrap", "2", "--permutations", "0", "--subsample", "100", "--device", "cpu");
        assertThat(wide.code()).as(wide.err()).isZero();
        JsonNode w = Json.MAPPER.readTree(wide.out());
        assertThat(findNumber(w, "pair_cosine")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(w.path("notes").toString()).contains("row norms").contains("scale rather than direction");
        Path huge = writeScaled("b1e30.npy", base, 1e30, n);
        assertRefused(CliTest.gaplab("measure", "--embeddings", b.toString(), huge.toString(), "--no-normalize", "--device", "cpu"),
                "--no-normalize", "row norms");
    }

    Path writeScaled(String name, double[] v, double scale, int n) {
        double[] s = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = v[i] * scale;
        }
        Path f = dir.resolve(name);
        org.gaplab.datasets.io.Npy.write(f, new org.gaplab.datasets.io.Matrix(name, new long[] {n, 4}, s, "float64"));
        return f;
    }

    /** @return the whole-set value of the estimate named {@code name} */
    static double findNumber(JsonNode report, String name) {
        for (JsonNode e : report.path("estimates")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("full").asDouble(Double.NaN);
            }
        }
        throw new AssertionError(name + " not in the report");
    }

    // ---- row 13: messages say why, give the right advice, never an overflowed number ----

    @Test
    void row13MessagesSayWhy() throws Exception {
        Path file = dir.resolve("afile");
        Files.writeString(file, "x");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=10", "--out", file.toString());
        assertRefused(o, "is a file, not a directory");
        assertThat(o.err()).doesNotContain(file + ": " + file);
        Path dirAsFile = dir.resolve("adir.npy");
        Files.createDirectories(dirAsFile);
        assertRefused(CliTest.gaplab("measure", "--embeddings", dirAsFile.toString(), dirAsFile.toString(), "--device", "cpu"),
                "adir.npy", "cannot read: is a directory");
        assertThat(org.gaplab.core.IoReasons.of(new java.nio.file.AccessDeniedException("/x/y"))).isEqualTo("permission denied");
        assertThat(org.gaplab.core.IoReasons.of(new java.nio.file.FileSystemException("/x/y", null, "No space left on device")))
                .isEqualTo("no space left on device");
        CliTest.Outcome small = CliTest.gaplab("measure", "--synthetic", "100", "--memory-budget", "1k", "--device", "cpu");
        assertRefused(small, "raise the budget with --memory-budget");
        assertThat(small.err()).doesNotContain("lower --memory-budget");
        Path spec = dir.resolve("seeds.yaml");
        Files.writeString(spec, "name: s\nbase: {steps: 10}\nseeds: {start: 9223372036854775800, count: 20}\n");
        CliTest.Outcome seeds = CliTest.gaplab("sweep", "--config", spec.toString(), "--plan", "--device", "cpu");
        assertRefused(seeds, "start + count - 1 must be at most 2^63 - 1");
        assertThat(seeds.err()).doesNotContain("-9223372036854775808");
        assertRefused(CliTest.gaplab("sweep", "--config", spec.toString(), "--shard", "0/2147483647", "--device", "cpu"),
                "n must be at most 1000000");
        // shards of two different sweeps: named as such, not as a missing shard
        Path s1 = dir.resolve("one.yaml");
        Path s2 = dir.resolve("two.yaml");
        Files.writeString(s1, "name: one\nbase: {steps: 10, batch_size: 16, eval: {size: 50}}\nseeds: 2\nchunk: 1\n");
        Files.writeString(s2, "name: two\nbase: {steps: 10, batch_size: 16, eval: {size: 50}}\nseeds: 2\nchunk: 1\n");
        Path a = dir.resolve("one-0");
        Path b = dir.resolve("two-1");
        assertThat(CliTest.gaplab("sweep", "--config", s1.toString(), "--shard", "0/2", "--out", a.toString(), "--device", "cpu")
                .code()).isZero();
        assertThat(CliTest.gaplab("sweep", "--config", s2.toString(), "--shard", "1/2", "--out", b.toString(), "--device", "cpu")
                .code()).isZero();
        assertRefused(CliTest.gaplab("merge", a.toString(), b.toString(), "--out", dir.resolve("m").toString()), "another sweep");
        assertThat(dir.resolve("m")).doesNotExist();
    }
}
