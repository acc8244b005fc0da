package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** {@code gaplab measure} and {@code gaplab embed}: outputs, and every bad input as exit 2 with one line. */
class MeasureCommandTest {
    @TempDir
    Path dir;

    private Path npy(String name, int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble() - 0.5;
        }
        Path p = dir.resolve(name);
        Npy.write(p, new Matrix(name, new long[] {n, d}, v, "float32"));
        return p;
    }

    private static void assertUsageError(CliTest.Outcome o, String fragment) {
        assertThat(o.code()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        String line = o.err().lines().filter(l -> l.startsWith("gaplab: error:")).findFirst().orElse("");
        assertThat(line).contains(fragment);
        assertThat(o.err().lines().filter(l -> l.startsWith("gaplab: error:")).count()).isEqualTo(1);
        assertThat(o.err()).doesNotContain("\tat org.gaplab");
    }

    /** --bootstrap, the old name of --subsamples, gives the same report and one warning; the new name warns of nothing. */
    @Test
    void theDeprecatedBootstrapFlagMeasuresAsSubsamplesAndWarnsOnce() throws Exception {
        Path a = npy("a.npy", 300, 3, 1);
        Path b = npy("b.npy", 300, 3, 2);
        String[] common = {"measure", "--embeddings", a.toString(), b.toString(), "--json", "--device", "cpu", "--subsample", "100",
            "--permutations", "9"};
        CliTest.Outcome renamed = CliTest.gaplab(concat(common, "--subsamples", "3"));
        CliTest.Outcome old = CliTest.gaplab(concat(common, "--bootstrap", "3"));
        assertThat(renamed.code()).as(renamed.err()).isZero();
        assertThat(old.code()).as(old.err()).isZero();
        JsonNode jr = Json.MAPPER.readTree(renamed.out().strip());
        JsonNode jo = Json.MAPPER.readTree(old.out().strip());
        assertThat(jr.path("settings").path("subsamples").asInt()).isEqualTo(3);
        assertThat(jo.path("estimates")).isEqualTo(jr.path("estimates"));
        assertThat(jo.path("settings")).isEqualTo(jr.path("settings"));
        assertThat(renamed.err()).doesNotContain("deprecated");
        assertThat(old.err().lines().filter(l -> l.contains("--bootstrap is deprecated")).count()).isEqualTo(1);
        assertThat(old.err()).contains("use --subsamples 3");
        CliTest.Outcome both = CliTest.gaplab(concat(common, "--subsamples", "3", "--bootstrap", "3"));
        assertThat(both.code()).isNotZero();
        assertThat(both.err()).contains("give --subsamples only");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void measuresTwoFilesAsJsonAndWritesReportFiles() throws Exception {
        Path a = npy("a.npy", 300, 3, 1);
        Path b = npy("b.npy", 300, 3, 2);
        Path out = dir.resolve("gap");
        CliTest.Outcome o = CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--json", "--device", "cpu",
                "--subsample", "100", "--bootstrap", "2", "--permutations", "9", "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(o.out().strip());
        assertThat(j.path("schema_version").asInt()).isEqualTo(org.gaplab.engine.measure.GapReport.SCHEMA_VERSION);
        assertThat(j.path("settings").path("subsample_size").asInt()).isEqualTo(100);
        assertThat(j.path("input").path("manifold_label").asText()).isEqualTo("sphere S^2");
        assertThat(Json.MAPPER.readTree(out.resolve("gap_report.json").toFile()).path("estimates").size())
                .isEqualTo(j.path("estimates").size());
        assertThat(Files.readAllLines(out.resolve("gap_report.csv")).get(0)).startsWith("name,group,sample,whole_set,mean,std");
        // the table mode teaches what it shows
        CliTest.Outcome t = CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--device", "cpu",
                "--subsample", "100", "--bootstrap", "2", "--permutations", "0", "--no-normalize");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("R^3 (intrinsic dim 3)").contains("centroid_gap").contains("shuffled pairing")
                .doesNotContain("theory check");
        // embeddings carry no temperature: theory terms only with --tau or --logit-scale
        assertThat(j.path("theory").isNull()).isTrue();
        assertThat(j.path("notes").toString()).contains("theory terms skipped");
        CliTest.Outcome s = CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--json", "--device", "cpu",
                "--subsample", "100", "--bootstrap", "2", "--permutations", "0", "--logit-scale", "100");
        assertThat(s.code()).as(s.err()).isZero();
        JsonNode js = Json.MAPPER.readTree(s.out().strip());
        assertThat(js.path("settings").path("tau").asDouble()).isEqualTo(0.01);
        assertThat(js.path("settings").path("tau_source").asText()).isEqualTo("logit-scale");
        assertThat(js.path("theory").path("log_c_tau").asDouble()).isGreaterThan(0);
        // a changed request says so in one line, and in the JSON (issue 16: --bootstrap 5 with n < m)
        CliTest.Outcome lowered = CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--json", "--device", "cpu",
                "--bootstrap", "5", "--permutations", "0", "--no-shuffle-control");
        assertThat(lowered.code()).as(lowered.err()).isZero();
        assertThat(lowered.err()).contains("gaplab: note: m lowered from 2000 to 150");
        JsonNode jl = Json.MAPPER.readTree(lowered.out().strip());
        assertThat(jl.path("settings").path("subsamples").asInt()).isEqualTo(5);
        assertThat(jl.path("notes").toString()).contains("m lowered from 2000 to 150");
    }

    @Test
    void badEmbeddingInputsExitWithCodeTwoAndOneLine() throws Exception {
        Path a = npy("a.npy", 50, 3, 1);
        Path rows = npy("rows.npy", 40, 3, 2);
        Path dims = npy("dims.npy", 50, 4, 3);
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), rows.toString(), "--device", "cpu"), "has 40 rows but");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), dims.toString(), "--device", "cpu"), "has dimension 4");
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "x,y,z\n1,2,3\n4,NaN,6\n", StandardCharsets.UTF_8);
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), nan.toString()), "nan.csv: line 3 contains NaN");
        Path empty = dir.resolve("empty.npy");
        Files.write(empty, new byte[0]);
        assertUsageError(CliTest.gaplab("measure", "--embeddings", empty.toString(), a.toString()), "empty.npy: file is empty");
        Path zero = dir.resolve("zero.npy");
        Npy.write(zero, new Matrix("zero", new long[] {0, 3}, new double[0], "float32"));
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), zero.toString()), "zero.npy: embeddings have zero rows");
        Path half = dir.resolve("half.npy");
        Files.write(half, NpyBytes.header("<f2", "(50, 3)", false));
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), half.toString()), "unsupported dtype '<f2'");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), dir.resolve("missing.npy").toString()),
                "missing.npy: no such file");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), dir.resolve("x.parquet").toString()), "unknown format");
        Path vec = dir.resolve("vec.npy");
        Npy.write(vec, new Matrix("vec", new long[] {50}, new double[50], "float32"));
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), vec.toString()), "must be a 2-D array");
        // pairing problems
        Path shortPairs = dir.resolve("pairs.csv");
        Files.writeString(shortPairs, "0\n1\n2\n");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--pairs", shortPairs.toString()),
                "pairs.csv: has 3 entries");
        Path badPairs = dir.resolve("bad_pairs.csv");
        Files.writeString(badPairs, "0\n0.5\n");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--pairs", badPairs.toString()),
                "non-negative integers");
        // options
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--subsample", "5"), "--subsample");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--tau", "-1"), "--tau");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--tau", "0.1", "--logit-scale", "10"),
                "not both");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--marginal", "images"), "--marginal");
        // 50 pairs: halves of 25 points; k = 24 needs more than 25
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--device", "cpu", "--k", "24",
                "--permutations", "0"), "too few rows");
        Path outOfRange = dir.resolve("far.csv");
        StringBuilder far = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            far.append(i == 7 ? 50 : i % 50).append('\n');
        }
        Files.writeString(outOfRange, far.toString());
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), a.toString(), "--pairs", outOfRange.toString()),
                "entry 7 is 50, outside the 50 rows");
        assertUsageError(CliTest.gaplab("measure", "--run", dir.toString(), "--embeddings", a.toString(), a.toString()),
                "mutually exclusive");
        assertUsageError(CliTest.gaplab("measure"), "Missing required");
        assertUsageError(CliTest.gaplab("measure", "--run", dir.resolve("nope").toString(), "--device", "cpu"), "does not exist");
        assertUsageError(CliTest.gaplab("embed", "--run", dir.toString(), "--out", dir.resolve("e").toString(), "--device", "cpu"),
                "has no");
    }

    @Test
    void measuresAndEmbedsATrainedRun() throws Exception {
        Path run = dir.resolve("run");
        CliTest.Outcome t = CliTest.gaplab("train", "--json", "--device", "cpu", "--set", "steps=60", "--set", "eval.size=600",
                "--out", run.toString());
        assertThat(t.code()).as(t.err()).isZero();
        CliTest.Outcome m = CliTest.gaplab("measure", "--run", run.toString(), "--json", "--device", "cpu", "--subsample", "300",
                "--bootstrap", "2", "--permutations", "0");
        assertThat(m.code()).as(m.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(m.out().strip());
        assertThat(j.path("input").path("kind").asText()).isEqualTo("run");
        assertThat(j.path("input").path("n1").asInt()).isEqualTo(600);
        assertThat(j.path("settings").path("tau_source").asText()).isEqualTo("model");
        assertThat(j.path("theory").path("log_c_tau").asDouble()).isGreaterThan(0);
        // the shift experiment on a run takes the run's own tau, and --out gets its table and figures
        Path shifted = dir.resolve("run-shift");
        CliTest.Outcome s = CliTest.gaplab("measure", "--run", run.toString(), "--device", "cpu", "--subsample", "300",
                "--bootstrap", "2", "--permutations", "0", "--shift", "--shift-grid", "-0.1,0,0.1", "--shift-batch", "64",
                "--out", shifted.toString());
        assertThat(s.code()).as(s.err()).isZero();
        JsonNode r = Json.MAPPER.readTree(shifted.resolve("gap_report.json").toFile());
        assertThat(r.path("shift").path("taus").get(0).asDouble()).isEqualTo(r.path("settings").path("tau").asDouble());
        assertThat(r.path("settings").path("tau_source").asText()).isEqualTo("model");
        assertThat(shifted.resolve("shift.csv")).exists();
        assertThat(shifted.resolve("embeddings.png")).exists();
        Path emb = dir.resolve("emb");
        CliTest.Outcome e = CliTest.gaplab("embed", "--run", run.toString(), "--out", emb.toString(), "--n", "400", "--device", "cpu");
        assertThat(e.code()).as(e.err()).isZero();
        Matrix z1 = Npy.read(emb.resolve("z1.npy"));
        assertThat(z1.shape()).containsExactly(400, 2);
        // unit rows: the model normalises its output
        double norm = Math.hypot(z1.data()[0], z1.data()[1]);
        assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
    }

    @Test
    void shiftWritesItsTableAndFigureAndRefusesBadGridsInOneLine() throws Exception {
        Path a = npy("sa.npy", 200, 4, 7);
        Path b = npy("sb.npy", 200, 4, 8);
        Path out = dir.resolve("shift");
        CliTest.Outcome o = CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--device", "cpu", "--subsample", "50",
                "--bootstrap", "2", "--permutations", "0", "--tau", "0.1", "--shift", "--shift-grid", "-0.1,0,0.1", "--shift-batch", "64",
                "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("shift experiment: 3 deltas").contains("loss smallest at delta");
        assertThat(Files.readAllLines(out.resolve("shift.csv"))).hasSize(4);
        for (String f : new String[] {"shift.png", "shift.svg", "shift.pdf", "embeddings.png", "cosines.png"}) {
            assertThat(out.resolve(f)).exists();
        }
        JsonNode j = Json.MAPPER.readTree(out.resolve("gap_report.json").toFile());
        assertThat(j.path("shift").path("points").size()).isEqualTo(3);
        assertThat(j.path("estimates").toString()).contains("shift_gap_at_loss_min").contains("\"rmg\"");
        Path none = dir.resolve("none");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--device", "cpu", "--tau", "0.1",
                "--shift", "--shift-grid", "-0.1,0.1", "--out", none.toString()), "--shift-grid must contain 0");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--device", "cpu", "--shift",
                "--out", none.toString()), "--shift needs a temperature");
        assertUsageError(CliTest.gaplab("measure", "--embeddings", a.toString(), b.toString(), "--device", "cpu",
                "--separability-folds", "60", "--subsample", "50", "--out", none.toString()), "separability");
        assertThat(none).doesNotExist();
    }
}
