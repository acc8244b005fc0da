package org.gaplab.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The one group-and-chunk of stacked runs ({@link SweepPlan#stack}), used by sweeps and the experiments. */
class SweepPlanStackTest {
    /** Points 0..n-1; those at the given indices have batch 64 (another structure) instead of 256. */
    private static List<SweepPoint> points(int n, int... otherStructure) {
        List<SweepPoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RunConfig c = RunConfig.defaults().withSeed(i);
            for (int j : otherStructure) {
                if (j == i) {
                    c = c.withBatchSize(64);
                }
            }
            out.add(new SweepPoint(i, Map.of(), i, c));
        }
        return out;
    }

    private static List<List<Integer>> indices(List<List<SweepPoint>> chunks) {
        return chunks.stream().map(c -> c.stream().map(SweepPoint::index).toList()).toList();
    }

    @Test
    void fillCutsFullChunksAndEvenCutsNearEqualOnes() {
        List<SweepPoint> p = points(10);
        assertThat(indices(SweepPlan.stack(p, c -> 4, SweepPlan.Cut.FILL)))
                .containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));
        // three chunks either way; EVEN gives each ceil(10 / 3) = 4 runs, so the last keeps 2
        assertThat(indices(SweepPlan.stack(p, c -> 4, SweepPlan.Cut.EVEN)))
                .containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));
        assertThat(indices(SweepPlan.stack(points(9), c -> 4, SweepPlan.Cut.EVEN)))
                .containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6, 7, 8));
        assertThat(indices(SweepPlan.stack(points(9), c -> 4, SweepPlan.Cut.FILL)))
                .containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8));
    }

    @Test
    void structurallyDifferentPointsNeverShareAChunk() {
        List<List<Integer>> chunks = indices(SweepPlan.stack(points(6, 1, 4), c -> 8, SweepPlan.Cut.FILL));
        assertThat(chunks).containsExactly(List.of(0, 2, 3, 5), List.of(1, 4));
    }

    @Test
    void theChunkSizeComesFromEachGroupsFirstConfig() {
        List<List<Integer>> chunks = indices(SweepPlan.stack(points(6, 1, 4), c -> c.batchSize() == 64 ? 1 : 3,
                SweepPlan.Cut.FILL));
        assertThat(chunks).containsExactly(List.of(0, 2, 3), List.of(5), List.of(1), List.of(4));
        assertThatThrownBy(() -> SweepPlan.stack(points(2), c -> 0, SweepPlan.Cut.EVEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
