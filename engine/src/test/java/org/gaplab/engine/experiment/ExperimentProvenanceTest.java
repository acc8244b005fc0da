package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.Provenance;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.train.StopSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A reproduction's provenance.json names the root seeds its config lays out (it used to say seed 0). */
class ExperimentProvenanceTest {
    @TempDir
    Path dir;

    /** Seeds 5, 6, 7 for the main study and 0, 1 for a second one; the union is 5..7 from firstSeed, counted by the larger. */
    record Seeded(int seeds, long firstSeed, int digitsSeeds) {}

    /** An experiment whose units do nothing: only its bookkeeping is under test. */
    private static final class Nothing implements Experiment<Seeded> {
        @Override public String name() { return "nothing"; }
        @Override public Class<Seeded> configType() { return Seeded.class; }
        @Override public Seeded paperConfig() { return new Seeded(3, 5, 2); }
        @Override public Seeded quickConfig() { return paperConfig(); }
        @Override public List<String> description() { return List.of("a test"); }
        @Override public Seeded withSeeds(Seeded c, int seeds) { return new Seeded(seeds, c.firstSeed(), c.digitsSeeds()); }
        @Override public Seeded withSteps(Seeded c, int steps) { return c; }
        @Override public List<String> units(Seeded c) { return List.of("only"); }
        @Override public Object runUnit(Seeded c, String unit, UnitContext context) { return Map.of("done", true); }
        @Override public Map<String, Object> render(Seeded c, Results results, Path out) { return Map.of(); }
    }

    @Test
    void theProvenanceListsTheSeedsOfTheConfig() {
        ExperimentRunner.run(new Nothing(), new Seeded(3, 5, 2), dir, Shard.ALL, DeviceProbe.choose(DeviceRequest.parse("cpu")),
                StopSignal.none(), List.of("reproduce", "nothing"));
        Provenance p = Provenance.read(dir.resolve("provenance.json"));
        assertThat(p.seeds()).containsExactly(5L, 6L, 7L);
        assertThat(p.seed()).isEqualTo(5);
        assertThat(p.command()).containsExactly("reproduce", "nothing");
    }

    @Test
    void aConfigWithoutFirstSeedCountsFromZero() {
        record Plain(int seeds, int digitsSeeds, double sigma) {}
        assertThat(Provenance.seedsOf(new Plain(2, 4, 0.1))).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void everyRegisteredReproductionLaysOutAtLeastOneSeed() {
        for (Experiment<?> e : Experiments.all().values()) {
            assertThat(Provenance.seedsOf(e.quickConfig())).as(e.name()).isNotEmpty();
        }
    }
}
