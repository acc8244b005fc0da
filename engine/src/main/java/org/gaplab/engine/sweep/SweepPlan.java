package org.gaplab.engine.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.admission.StepBlocks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * How a sweep's points are stacked: points that may share a computation (same
 * {@link StepBlocks#structureKey}) are cut, in index order, into chunks of near-equal size at most
 * the chunk size. The plan depends only on the spec, so every shard and every machine computes
 * the same chunks, and a run is stacked with the same companions whether or not it is sharded.
 *
 * @param points all points
 * @param chunks point indices of each chunk, in order
 * @param chunkSize the largest chunk allowed
 */
public record SweepPlan(List<SweepPoint> points, List<List<Integer>> chunks, int chunkSize) {
    /**
     * Most runs stacked by the automatic choice. On a 2-core CPU the paper's step (B = 256)
     * ran at 1,760-2,900 run-steps/s for K = 8 and 2,280-2,880 for K = 16, but 1,560-2,150 for
     * K = 40 and about 1,000 for K = 64, as the {@code [K, B, B]} logits outgrow the caches. The plan
     * depends on the spec only (so shards agree), not on the device: on a GPU pass a larger
     * {@code --chunk} (e.g. the whole sweep).
     */
    public static final int AUTO_CAP = 16;
    /** Memory the automatic choice allows one stacked computation. */
    public static final long AUTO_BUDGET_BYTES = 1L << 30;

    /**
     * @param spec the sweep
     * @return its plan
     */
    public static SweepPlan of(SweepSpec spec) {
        List<SweepPoint> points = spec.points();
        int size = spec.chunk() > 0 ? spec.chunk() : autoChunk(points.get(0).config());
        List<List<Integer>> chunks = new ArrayList<>();
        for (List<SweepPoint> chunk : stack(points, c -> size, Cut.EVEN)) {
            chunks.add(chunk.stream().map(SweepPoint::index).toList());
        }
        return new SweepPlan(points, chunks, size);
    }

    /** How {@link #stack} cuts a group of points that may share a computation. */
    public enum Cut {
        /** Near-equal chunks of at most the size (a sweep's plan: shards get even work). */
        EVEN,
        /**
         * Chunks of exactly the size in order, the last one shorter ({@link Sweeps#run} and the
         * experiments; a run's stack companions can change its last float digits, so they keep the
         * stacks their published numbers came from).
         */
        FILL
    }

    /**
     * The one place stacked runs are grouped and chunked: points that may share a computation (same
     * {@link StepBlocks#structureKey}) are grouped in order of first appearance, and each group is
     * cut, in the given order of its points, into chunks of at most {@code size} runs.
     *
     * @param points the points, in order
     * @param size runs per chunk for a group, given the group's first config (e.g. {@code c -> 16},
     *     or {@link #autoChunk})
     * @param cut how each group is cut
     * @return the chunks, group by group; each is one stacked computation
     */
    public static List<List<SweepPoint>> stack(List<SweepPoint> points, ToIntFunction<RunConfig> size, Cut cut) {
        Map<ObjectNode, List<SweepPoint>> groups = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            groups.computeIfAbsent(StepBlocks.structureKey(p.config()), k -> new ArrayList<>()).add(p);
        }
        List<List<SweepPoint>> chunks = new ArrayList<>();
        for (List<SweepPoint> g : groups.values()) {
            int max = size.applyAsInt(g.get(0).config());
            if (max < 1) {
                throw new IllegalArgumentException("runs per chunk must be at least 1, got " + max);
            }
            long n = (g.size() + (long) max - 1) / max;    // chunks this group needs (64-bit: max may be near 2^31)
            int per = (int) Math.min(g.size(), cut == Cut.FILL ? max : (g.size() + n - 1) / n);
            for (int i = 0; i < g.size(); i += per) {
                chunks.add(List.copyOf(g.subList(i, Math.min(g.size(), i + per))));
            }
        }
        return chunks;
    }

    /**
     * Runs per stacked computation that fit {@link #AUTO_BUDGET_BYTES}, capped at
     * {@link #AUTO_CAP}: per run, about six {@code B x B} logit-sized temporaries plus one data
     * block and the parameters with their optimiser moments.
     */
    public static int autoChunk(RunConfig c) {
        long bytes = c.precision().dataType().getNumOfBytes();
        long b = c.batchSize();
        long dims = c.model().tower1().inputDim() + c.model().tower2().inputDim();
        long params = c.model().tower1().parameterCount() + c.model().tower2().parameterCount();
        long perRun = bytes * (6 * b * b + 100 * b * dims + 4 * params + 8 * b * c.model().tower1().outputDim());
        return (int) Math.max(1, Math.min(AUTO_CAP, AUTO_BUDGET_BYTES / Math.max(1, perRun)));
    }

    /** @return indices of the chunks a shard runs */
    public List<Integer> chunksOf(Shard shard) {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < chunks.size(); c++) {
            if (shard.owns(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** @return the point indices a shard is responsible for */
    public List<Integer> pointsOf(Shard shard) {
        List<Integer> out = new ArrayList<>();
        for (int c : chunksOf(shard)) {
            out.addAll(chunks.get(c));
        }
        out.sort(Integer::compare);
        return out;
    }
}
