package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.core.Json;
import org.gaplab.engine.cli.ExitCodes;
import org.gaplab.engine.cli.GaplabCli;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbsConfig;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbsExperiment;
import org.gaplab.engine.experiment.modalitygap.ModalityGap;
import org.gaplab.engine.experiment.modalitygap.ModalityGapConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code gaplab reproduce EXP --shard i/n} and {@code gaplab merge}: the merged outputs of two
 * shards are the outputs of one unsharded run, byte for byte except timings and provenance; a
 * rerun skips finished units; refused merges write nothing.
 */
class ExperimentShardingTest {
    /** Unimodal Gibbs with four stacked chunks, so that two shards each train some (fewer steps than --quick: a test). */
    private static final String[] GIBBS = {"reproduce", "unimodal-gibbs", "--quick", "--set", "runs_per_chunk=4", "--set", "steps=60",
        "--set", "mc_points=50000", "--device", "cpu"};
    /** The sigma sweep in three stacked chunks of two runs. */
    private static final String[] GAP = {"reproduce", "modality-gap", "--quick", "--set", "chunk=2", "--set", "steps=60", "--device",
        "cpu"};

    private static int run(String[] base, String... more) {
        List<String> args = new ArrayList<>(List.of(base));
        args.addAll(List.of(more));
        return GaplabCli.commandLine().setErr(new PrintWriter(new StringWriter())).execute(args.toArray(String[]::new));
    }

    @Test
    void mergedShardsOfUnimodalGibbsEqualOneRun(@TempDir Path tmp) throws IOException {
        assertMergeEqualsOneRun(GIBBS, tmp);
    }

    @Test
    void mergedShardsOfTheSigmaSweepEqualOneRun(@TempDir Path tmp) throws IOException {
        assertMergeEqualsOneRun(GAP, tmp);
    }

    static void assertMergeEqualsOneRun(String[] command, Path tmp) throws IOException {
        assertThat(run(command, "--out", tmp.resolve("all").toString())).isEqualTo(ExitCodes.OK);
        assertThat(run(command, "--shard", "0/2", "--out", tmp.resolve("s0").toString())).isEqualTo(ExitCodes.OK);
        assertThat(run(command, "--shard", "1/2", "--out", tmp.resolve("s1").toString())).isEqualTo(ExitCodes.OK);
        // each shard did part of the work and rendered nothing
        assertThat(tmp.resolve("s0").resolve("summary.md")).doesNotExist();
        assertThat(units(tmp.resolve("s0"))).isNotEmpty();
        assertThat(units(tmp.resolve("s1"))).isNotEmpty();
        int code = GaplabCli.commandLine().execute("merge", tmp.resolve("s0").toString(), tmp.resolve("s1").toString(), "--out",
                tmp.resolve("merged").toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        assertSameOutputs(tmp.resolve("all"), tmp.resolve("merged"));
    }

    /**
     * A run whose directory already holds some units (as a killed run leaves it) computes only the
     * missing ones and writes the same outputs as a run from scratch.
     */
    @Test
    void aRerunSkipsFinishedUnitsAndWritesTheSameOutputs(@TempDir Path tmp) throws IOException {
        Path whole = tmp.resolve("whole");
        assertThat(run(GIBBS, "--out", whole.toString())).isEqualTo(ExitCodes.OK);
        Path resumed = tmp.resolve("resumed");
        Files.createDirectories(resumed.resolve("units"));
        Files.copy(whole.resolve(ExperimentRunner.META), resumed.resolve(ExperimentRunner.META));
        List<String> units = units(whole);
        assertThat(units).hasSizeGreaterThan(2);
        String kept = units.get(1);
        String lost = units.get(2);
        for (String u : units) {
            if (!u.equals(lost)) {
                Files.copy(whole.resolve("units").resolve(u), resumed.resolve("units").resolve(u));
            }
        }
        // marks the kept unit so that a recomputation would show
        ObjectNode marked = (ObjectNode) Json.MAPPER.readTree(resumed.resolve("units").resolve(kept).toFile());
        marked.put("seconds", 12345.0);
        Json.write(resumed.resolve("units").resolve(kept), marked);
        // a torn file (a writer killed mid-write never leaves one: writes are atomic; a damaged one is recomputed)
        Files.writeString(resumed.resolve("units").resolve(lost), "{\"unit\": ");

        assertThat(run(GIBBS, "--out", resumed.toString())).isEqualTo(ExitCodes.OK);
        assertThat(Json.MAPPER.readTree(resumed.resolve("units").resolve(kept).toFile()).get("seconds").asDouble()).isEqualTo(12345.0);
        assertThat(Json.MAPPER.readTree(resumed.resolve("units").resolve(lost).toFile()).get("result"))
                .isEqualTo(Json.MAPPER.readTree(whole.resolve("units").resolve(lost).toFile()).get("result"));
        assertSameOutputs(whole, resumed);

        // --from re-renders a finished run from its JSON alone, to the same files
        Path rerendered = tmp.resolve("rerendered");
        assertThat(GaplabCli.commandLine().execute("reproduce", "unimodal-gibbs", "--from", whole.toString(), "--out",
                rerendered.toString())).isEqualTo(ExitCodes.OK);
        assertSameOutputs(whole, rerendered);
    }

    /**
     * A stop request (SIGTERM) during a run ends it after the unit in progress, with that unit
     * saved and no outputs; the same run again computes only the rest and writes what an
     * uninterrupted run writes.
     */
    @Test
    void aStoppedRunResumesWhereItStopped(@TempDir Path tmp) throws IOException {
        UnimodalGibbsExperiment gibbs = new UnimodalGibbsExperiment();
        UnimodalGibbsConfig config = ExperimentRunner.config(gibbs, true, null, List.of("runs_per_chunk=4", "steps=60",
                "mc_points=50000"), null, null);
        var cpu = org.gaplab.engine.device.DeviceProbe.choose(org.gaplab.engine.device.DeviceRequest.parse("cpu"));
        org.gaplab.engine.train.StopSignal stop = org.gaplab.engine.train.StopSignal.none();
        List<String> ran = new ArrayList<>();
        Experiment<UnimodalGibbsConfig> stopsAfterTwo = new Delegate(gibbs) {
            @Override
            public Object runUnit(UnimodalGibbsConfig c, String unit, UnitContext context) {
                ran.add(unit);
                if (ran.size() == 2) {
                    stop.request("TERM"); // as the signal handler does, mid-unit
                }
                return super.runUnit(c, unit, context);
            }
        };
        Path dir = tmp.resolve("stopped");
        ExperimentRunner.Outcome first = ExperimentRunner.run(stopsAfterTwo, config, dir, org.gaplab.engine.sweep.Shard.ALL, cpu, stop,
                List.of("test"));
        assertThat(first.interrupted()).isTrue();
        assertThat(dir.resolve("summary.md")).doesNotExist();
        assertThat(units(dir)).hasSize(2);

        ran.clear();
        ExperimentRunner.Outcome second = ExperimentRunner.run(stopsAfterTwo, config, dir, org.gaplab.engine.sweep.Shard.ALL, cpu,
                org.gaplab.engine.train.StopSignal.none(), List.of("test"));
        assertThat(second.complete()).isTrue();
        List<String> all = gibbs.units(config);
        assertThat(ran).isEqualTo(all.subList(2, all.size()));

        Path fresh = tmp.resolve("fresh");
        assertThat(ExperimentRunner.run(gibbs, config, fresh, org.gaplab.engine.sweep.Shard.ALL, cpu,
                org.gaplab.engine.train.StopSignal.none(), List.of("test")).complete()).isTrue();
        assertSameOutputs(fresh, dir);
    }

    /** Passes everything to another experiment (to hook a stop into one). */
    private static class Delegate implements Experiment<UnimodalGibbsConfig> {
        private final Experiment<UnimodalGibbsConfig> d;

        Delegate(Experiment<UnimodalGibbsConfig> d) {
            this.d = d;
        }

        @Override public String name() { return d.name(); }
        @Override public Class<UnimodalGibbsConfig> configType() { return d.configType(); }
        @Override public UnimodalGibbsConfig paperConfig() { return d.paperConfig(); }
        @Override public UnimodalGibbsConfig quickConfig() { return d.quickConfig(); }
        @Override public List<String> description() { return d.description(); }
        @Override public UnimodalGibbsConfig withSeeds(UnimodalGibbsConfig c, int n) { return d.withSeeds(c, n); }
        @Override public UnimodalGibbsConfig withSteps(UnimodalGibbsConfig c, int n) { return d.withSteps(c, n); }
        @Override public List<String> units(UnimodalGibbsConfig c) { return d.units(c); }
        @Override public Object runUnit(UnimodalGibbsConfig c, String unit, UnitContext ctx) { return d.runUnit(c, unit, ctx); }
        @Override public java.util.Map<String, Object> render(UnimodalGibbsConfig c, Results r, Path dir) { return d.render(c, r, dir); }
    }

    @Test
    void mergesOfMissingIncompleteOrMismatchedShardsAreRefusedAndWriteNothing(@TempDir Path tmp) throws IOException {
        // grad-consistency has one unit (shard 0 takes it, shard 1 none): the cheapest shards to refuse
        String[] gc = {"reproduce", "grad-consistency", "--quick", "--seeds", "1", "--device", "cpu"};
        assertThat(run(gc, "--shard", "0/2", "--out", tmp.resolve("s0").toString())).isEqualTo(ExitCodes.OK);
        assertThat(run(gc, "--shard", "1/2", "--set", "n_ref=512", "--out", tmp.resolve("other").toString())).isEqualTo(ExitCodes.OK);
        Path out = tmp.resolve("merged");

        StringWriter err = new StringWriter();
        int missing = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(), "--out",
                out.toString());
        assertThat(missing).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("missing shard(s) 1/2");
        assertThat(out).doesNotExist();

        err = new StringWriter();
        int mismatched = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("other").toString(), "--out", out.toString());
        assertThat(mismatched).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("belongs to another run");
        assertThat(out).doesNotExist();

        assertThat(run(gc, "--shard", "1/2", "--out", tmp.resolve("s1").toString())).isEqualTo(ExitCodes.OK);
        Files.delete(tmp.resolve("s0").resolve("units").resolve(units(tmp.resolve("s0")).get(0)));
        err = new StringWriter();
        int incomplete = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("s1").toString(), "--out", out.toString());
        assertThat(incomplete).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("is incomplete");
        assertThat(out).doesNotExist();

        err = new StringWriter();
        int into = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("reproduce", "grad-consistency", "--quick", "--seeds",
                "2", "--shard", "1/2", "--device", "cpu", "--out", tmp.resolve("s1").toString());
        assertThat(into).as("a shard directory of another config is refused").isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("choose another --out");

        assertThat(run(gc, "--shard", "0/2", "--out", tmp.resolve("s0").toString())).isEqualTo(ExitCodes.OK);
        err = new StringWriter();
        int twice = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("s0").toString(), "--out", out.toString());
        assertThat(twice).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("given twice");
        assertThat(out).doesNotExist();

        // --out holding something else, or a run of another config, is refused and left as it was
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        err = new StringWriter();
        int intoForeign = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("s1").toString(), "--out", foreign.toString());
        assertThat(intoForeign).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("holds no reproduction");
        try (var left = Files.list(foreign)) {
            assertThat(left.map(f -> f.getFileName().toString()).toList()).containsExactly("notes.txt");
        }
        err = new StringWriter();
        int intoOther = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("s1").toString(), "--out", tmp.resolve("other").toString());
        assertThat(intoOther).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("holds a run of grad-consistency");

        err = new StringWriter();
        long before = Files.getLastModifiedTime(tmp.resolve("s0").resolve(ExperimentRunner.META)).toMillis();
        int intoInput = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("merge", tmp.resolve("s0").toString(),
                tmp.resolve("s1").toString(), "--out", tmp.resolve("s0").toString());
        assertThat(intoInput).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("is one of the inputs");
        assertThat(tmp.resolve("s0").resolve("summary.md")).doesNotExist();
        assertThat(Files.getLastModifiedTime(tmp.resolve("s0").resolve(ExperimentRunner.META)).toMillis()).isEqualTo(before);
    }

    /** An unsharded rerun with other settings replaces the earlier run, as reruns with other options always did. */
    @Test
    void anUnshardedRerunWithAnotherConfigReplacesTheEarlierRun(@TempDir Path tmp) throws IOException {
        String[] gc = {"reproduce", "grad-consistency", "--quick", "--device", "cpu", "--out", tmp.toString()};
        assertThat(run(gc, "--seeds", "1")).isEqualTo(ExitCodes.OK);
        assertThat(run(gc, "--seeds", "2")).isEqualTo(ExitCodes.OK);
        assertThat(Json.MAPPER.readTree(tmp.resolve("grad_consistency.json").toFile()).get("config").get("seeds").asInt()).isEqualTo(2);
        assertThat(Json.MAPPER.readTree(tmp.resolve("units").resolve("all-seeds.json").toFile()).get("result").get(0)
                .get("cosine")).hasSize(2);
    }

    @Test
    void everyConfigKeyIsSettableAndAnUnknownKeyIsAOneLineUsageError(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("gc.yaml");
        Files.writeString(file, "negatives: [4, 8, 16]\nn_ref: 64\n");
        int code = GaplabCli.commandLine().execute("reproduce", "grad-consistency", "--quick", "--config", file.toString(), "--set",
                "seeds=2", "--set", "cosine_tau=0.2", "--negatives", "same-mixture", "--device", "cpu", "--out",
                tmp.resolve("gc").toString());
        assertThat(code).isEqualTo(ExitCodes.OK);
        JsonNode config = Json.MAPPER.readTree(tmp.resolve("gc").resolve("grad_consistency.json").toFile()).get("config");
        assertThat(config.get("negatives").toString()).isEqualTo("[4,8,16]");
        assertThat(config.get("n_ref").asInt()).isEqualTo(64);
        assertThat(config.get("seeds").asInt()).isEqualTo(2);
        assertThat(config.get("cosine_tau").asDouble()).isEqualTo(0.2);
        assertThat(config.get("negative_law").asText()).isEqualTo("SAME_MIXTURE");

        StringWriter err = new StringWriter();
        Path bad = tmp.resolve("bad");
        int unknown = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("reproduce", "corruption", "--quick", "--set",
                "run.optim.lrr=0.1", "--device", "cpu", "--out", bad.toString());
        assertThat(unknown).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("unknown config key 'run.optim.lrr'", "known here:", "lr");
        assertThat(bad).doesNotExist();

        err = new StringWriter();
        int invalid = GaplabCli.commandLine().setErr(new PrintWriter(err)).execute("reproduce", "unimodal-gibbs", "--quick", "--set",
                "taus=[1.0, 2.0]", "--device", "cpu", "--out", bad.toString());
        assertThat(invalid).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("taus", "descending");
        assertThat(bad).doesNotExist();
    }

    /**
     * The sigma sweep is defined once: {@code reproduce modality-gap} trains exactly the runs of
     * {@code examples/sigma-sweep.yaml} (what {@code gaplab sweep} trains), up to the run name and
     * the log interval, which the experiment sets to steps / 20 and the file leaves at its default.
     */
    @Test
    void theModalityGapExperimentTrainsTheSigmaSweepOfTheExamples() {
        org.gaplab.engine.sweep.SweepSpec file = org.gaplab.engine.sweep.SweepSpec.read(
                Path.of("").toAbsolutePath().getParent().resolve("examples").resolve("sigma-sweep.yaml"));
        org.gaplab.engine.sweep.SweepSpec experiment = ModalityGap.sweepSpec(ModalityGapConfig.paperDefault());
        var a = file.points();
        var b = experiment.points();
        assertThat(b).hasSameSizeAs(a).hasSize(160);
        for (int i = 0; i < a.size(); i++) {
            var ca = a.get(i).config();
            var cb = b.get(i).config();
            assertThat(cb.withName(ca.name()).withSchedule(ca.schedule())).as("point %d", i).isEqualTo(ca);
            assertThat(b.get(i).overrides()).isEqualTo(a.get(i).overrides());
            assertThat(b.get(i).seed()).isEqualTo(a.get(i).seed());
        }
        assertThat(ModalityGapConfig.paperDefault()).isEqualTo(new ModalityGapConfig(List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
                20, 2000, 256, 8000, 1000, 0, 0.4, 0));
        assertThat(org.gaplab.engine.sweep.SweepPlan.of(experiment).chunks())
                .isEqualTo(org.gaplab.engine.sweep.SweepPlan.of(file).chunks());
    }

    /** Every registered experiment declares a quick config that validates and at least one unit. */
    @Test
    void theRegistryHoldsTheEightReproductions() {
        assertThat(Experiments.all().keySet()).containsExactly("modality-gap", "grad-consistency", "unimodal-gibbs", "corruption",
                "gap-control", "aligned-start", "sharpening", "gibbs-limit");
        for (Experiment<?> e : Experiments.all().values()) {
            assertThat(unitsOfQuick(e)).as(e.name()).isNotEmpty();
        }
    }

    private static <C extends Record> List<String> unitsOfQuick(Experiment<C> e) {
        return e.units(e.quickConfig());
    }

    private static List<String> units(Path dir) throws IOException {
        try (var files = Files.list(dir.resolve("units"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private static final Set<String> TIMINGS = Set.of("seconds", "wall_seconds");
    private static final Pattern PDF_IDS = Pattern.compile("/ID \\[<[0-9A-F]+> <[0-9A-F]+>\\]|/CreationDate \\([^)]*\\)");

    /**
     * Every output file (not the bookkeeping: experiment.json, provenance.json, units/, sweep/)
     * exists in both and is equal, except timings: JSON fields named seconds/wall_seconds, the
     * runtime line of summary.md, and the document id PDF writers stamp on every file.
     */
    static void assertSameOutputs(Path expected, Path actual) throws IOException {
        Set<String> names = outputs(expected);
        assertThat(outputs(actual)).isEqualTo(names);
        assertThat(names).contains("summary.md");
        for (String n : names) {
            Path a = expected.resolve(n);
            Path b = actual.resolve(n);
            if (n.endsWith(".json")) {
                assertThat(withoutTimings(Json.MAPPER.readTree(b.toFile()))).as(n).isEqualTo(withoutTimings(Json.MAPPER.readTree(a.toFile())));
            } else if (n.endsWith(".md")) {
                assertThat(withoutRuntime(Files.readString(b))).as(n).isEqualTo(withoutRuntime(Files.readString(a)));
            } else if (n.endsWith(".pdf")) {
                assertThat(PDF_IDS.matcher(Files.readString(b, StandardCharsets.ISO_8859_1)).replaceAll(""))
                        .as(n).isEqualTo(PDF_IDS.matcher(Files.readString(a, StandardCharsets.ISO_8859_1)).replaceAll(""));
            } else {
                assertThat(Files.readAllBytes(b)).as(n).isEqualTo(Files.readAllBytes(a));
            }
        }
    }

    private static Set<String> outputs(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            Set<String> out = new TreeSet<>();
            files.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.equals(ExperimentRunner.META) && !n.equals("provenance.json"))
                    .forEach(out::add);
            return out;
        }
    }

    private static JsonNode withoutTimings(JsonNode n) {
        if (n.isObject()) {
            Iterator<String> it = n.fieldNames();
            List<String> drop = new ArrayList<>();
            it.forEachRemaining(k -> {
                if (TIMINGS.contains(k)) {
                    drop.add(k);
                }
            });
            ((ObjectNode) n).remove(drop);
            n.forEach(ExperimentShardingTest::withoutTimings);
        } else if (n.isArray()) {
            n.forEach(ExperimentShardingTest::withoutTimings);
        }
        return n;
    }

    private static String withoutRuntime(String md) {
        return md.replaceAll("Runtime: [0-9.]+ s", "Runtime: X s").replaceAll("Device (\\S+), [0-9.]+ s", "Device $1, X s");
    }
}
