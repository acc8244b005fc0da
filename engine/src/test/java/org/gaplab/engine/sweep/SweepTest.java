package org.gaplab.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.core.Json;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.engine.train.StopSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class SweepTest {
    @TempDir
    Path dir;

    static final String SMALL = "name: small\n"
            + "base: {steps: 30, batch_size: 32, eval: {size: 200}, schedule: {log_every: 10}}\n"
            + "grid: {data.sigma: [0.0, 0.5]}\n"
            + "seeds: {start: 3, count: 3}\n"
            + "chunk: 2\n";

    private SweepSpec spec(String yaml) throws Exception {
        return SweepSpec.fromTree((ObjectNode) Json.YAML.readTree(yaml), "test spec");
    }

    @Test
    void pointsFollowTheGridAndSeedsAndShardsPartitionThem() throws Exception {
        SweepSpec s = spec("name: g\ngrid: {data.sigma: [0, 0.1, 0.2], optim.lr: [0.001, 0.01]}\nseeds: 4\nchunk: 5\n");
        SweepPlan plan = SweepPlan.of(s);
        assertThat(plan.points()).hasSize(24);
        assertThat(plan.points().get(0).overrides()).containsEntry("data.sigma", 0).containsEntry("optim.lr", 0.001);
        assertThat(plan.points().get(5).seed()).isEqualTo(1);
        assertThat(plan.points().get(5).config().optim().lr()).isEqualTo(0.01);
        // runs with different lr and sigma may share a chunk: 24 points -> 5 chunks of at most 5
        assertThat(plan.chunks()).hasSize(5).allSatisfy(c -> assertThat(c.size()).isBetween(4, 5));
        for (int n : new int[] {1, 2, 3, 7}) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.addAll(plan.pointsOf(new Shard(i, n)));
            }
            Set<Integer> unique = new HashSet<>(all);
            assertThat(all).as("%d shards", n).hasSize(24);
            assertThat(unique).hasSize(24);
        }
        // structurally different points (batch size) are never stacked together
        SweepPlan mixed = SweepPlan.of(spec("name: m\ngrid: {batch_size: [16, 32]}\nseeds: 3\nchunk: 8\n"));
        assertThat(mixed.chunks()).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5));
    }

    @Test
    void shardsMergeIntoExactlyTheUnshardedTableAndRerunsResume() throws Exception {
        SweepSpec s = spec(SMALL);
        SweepPlan plan = SweepPlan.of(s);
        var cpu = DeviceProbe.choose(DeviceRequest.parse("cpu"));
        Path whole = dir.resolve("whole");
        assertThat(new SweepRunner(s, plan, whole, Shard.ALL, cpu, StopSignal.none(), List.of()).run())
                .isEqualTo(SweepRunner.ShardStatus.COMPLETE);
        Path s0 = dir.resolve("s0");
        Path s1 = dir.resolve("s1");
        // a stop request abandons the chunk in progress: nothing half-done is written
        StopSignal stop = StopSignal.none();
        stop.request("TERM");
        assertThat(new SweepRunner(s, plan, s0, new Shard(0, 2), cpu, stop, List.of()).run())
                .isEqualTo(SweepRunner.ShardStatus.INTERRUPTED);
        assertThat(SweepTable.readJsonl(s0.resolve("runs.jsonl")).rows()).isEmpty();
        // shard 0 killed after its first chunk (points 0, 1) while appending a row of the next one
        List<String> wholeRows = Files.readAllLines(whole.resolve("runs.jsonl"));
        Files.writeString(s0.resolve("runs.jsonl"), wholeRows.get(0) + "\n" + wholeRows.get(1) + "\n"
                + wholeRows.get(4).substring(0, 25));
        assertThat(SweepTable.readJsonl(s0.resolve("runs.jsonl")).rows()).hasSize(2);
        assertThatThrownBy(() -> SweepRunner.merge(List.of(s0), dir.resolve("bad"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("incomplete: 2 of 4 rows");
        assertThat(new SweepRunner(s, plan, s0, new Shard(0, 2), cpu, StopSignal.none(), List.of()).run())
                .isEqualTo(SweepRunner.ShardStatus.COMPLETE);
        assertThatThrownBy(() -> SweepRunner.merge(List.of(s0), dir.resolve("bad"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing shard(s) 1/2");
        // one writer per shard directory: a second process on s1 is refused before writing anything
        try (var held = org.gaplab.engine.rundir.DirectoryLock.acquire(s1, "another shard process")) {
            assertThatThrownBy(() -> new SweepRunner(s, plan, s1, new Shard(1, 2), cpu, StopSignal.none(), List.of()).run())
                    .isInstanceOf(org.gaplab.engine.rundir.DirectoryLock.HeldException.class).hasMessageContaining("another shard process");
            assertThat(s1.resolve("sweep.json")).doesNotExist();
        }
        new SweepRunner(s, plan, s1, new Shard(1, 2), cpu, StopSignal.none(), List.of()).run();
        // merging onto one of its inputs is refused and leaves that shard byte for byte as it was
        var before = org.gaplab.engine.rundir.DirectorySnapshot.of(s0);
        assertThatThrownBy(() -> SweepRunner.merge(List.of(s0, s1), s0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is one of the inputs");
        assertThatThrownBy(() -> SweepRunner.merge(List.of(s0, s1), s0.resolve("..").resolve(s0.getFileName())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is one of the inputs");
        before.assertUnchanged();
        SweepTable merged = SweepRunner.merge(List.of(s1, s0), dir.resolve("merged"));
        // a parent directory stands for the shard directories inside it
        Path parent = dir.resolve("parent");
        Files.createDirectories(parent);
        Files.move(s0, parent.resolve("shard-0"));
        Files.move(s1, parent.resolve("shard-1"));
        assertThat(SweepRunner.merge(List.of(parent), dir.resolve("merged2")).rows()).isEqualTo(merged.rows());
        assertThat(merged.rows()).hasSize(6);
        assertThat(Files.readString(dir.resolve("merged").resolve("runs.jsonl")))
                .isEqualTo(Files.readString(whole.resolve("runs.jsonl")));
        assertThat(Files.readString(dir.resolve("merged").resolve("runs.csv"))).isEqualTo(Files.readString(whole.resolve("runs.csv")));
        // sigma = 0 aligns the pairs better than sigma = 0.5 (a sanity check of what the rows hold)
        assertThat(merged.rows().get(0).metric("mean_pair_cosine")).isGreaterThan(merged.rows().get(5).metric("mean_pair_cosine"));
        assertThat(whole.resolve("mean_pair_cosine_vs_data.sigma.png")).isNotEmptyFile();
        assertThat(whole.resolve("timing.jsonl")).isNotEmptyFile();
    }

    /** Issue 17: a run of a stack that collapses (lr = 1e30) is marked diverged; its neighbour completes. */
    @Test
    void aCollapsedRunInAStackIsMarkedDiverged() {
        var base = org.gaplab.engine.config.RunConfig.defaults().withSteps(30).withBatchSize(32)
                .withEval(new org.gaplab.engine.config.EvalConfig(100))
                .withSchedule(new org.gaplab.engine.config.ScheduleConfig(10, 0, 0));
        var configs = List.of(base, base.withOptim(base.optim().withLr(1e30)));
        SweepTable t = Sweeps.run(configs, ai.djl.Device.cpu(), 2);
        assertThat(t.rows()).extracting(SweepRow::status).containsExactly(RunStatus.COMPLETED, RunStatus.DIVERGED);
    }

    @Test
    void badSpecsGiveOneClearError() {
        assertBad("name: x\ngrids: {data.sigma: [0]}\n", "unknown key 'grids'");
        assertBad("name: x\ngrid: {data.sigma: []}\n", "grid key 'data.sigma' has no values");
        assertBad("name: x\ngrid: {data.sigmaa: [0, 1]}\n", "unknown config key 'data.sigmaa'");
        assertBad("name: x\ngrid: {data.sigma: 0.1}\n", "must be a list of values");
        assertBad("name: x\nseeds: {start: 0, count: 0}\n", "count >= 1");
        assertBad("name: x\ngrid: {model.temperature.tau: [0.1, -1]}\n", "tau: must be > 0");
        assertThatThrownBy(() -> Shard.parse("3/2")).isInstanceOf(ConfigException.class).hasMessageContaining("0 <= i < n");
        assertThatThrownBy(() -> Shard.parse("1-of-2")).isInstanceOf(ConfigException.class).hasMessageContaining("i/n");
    }

    private void assertBad(String yaml, String fragment) {
        assertThatThrownBy(() -> spec(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(fragment)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
