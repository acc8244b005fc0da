package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Paired distance L2I: the mean over all pairs of {@code ||x_t(j) - y_j||} (Liang et al. 2022;
 * Schrodi et al. 2025 call it L2I), over every pair, so with many captions per image each caption
 * counts once (caption-weighted), as in Schrodi et al.'s COCO code.
 */
final class PairedDistanceEstimator implements Estimator {
    /** Pairs per chunk of the gather. */
    static final int CHUNK = 4096;

    @Override
    public String name() {
        return "paired distance L2I";
    }

    @Override
    public String description() {
        return "mean distance between the two embeddings of a pair (Liang et al. 2022; Schrodi et al. 2025, L2I)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(new Statistic("l2i", "relative-gap", "whole set", "distance, [0, 2] on the sphere",
                "mean ||z1 - z2|| over all pairs (L2I; every caption once)"));
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        out.put("l2i", c.pairMeans()[0]);
    }

    /**
     * @param c the measurement
     * @return {mean ||x - y|| over pairs (rows as measured), mean cosine over pairs}
     */
    static double[] pairMeans(WholeSetContext c) {
        int[] partner = c.partner();
        int n2 = partner.length;
        double dist = 0;
        double cos = 0;
        for (int start = 0; start < n2; start += CHUNK) {
            int end = Math.min(n2, start + CHUNK);
            long[] rows1 = new long[end - start];
            for (int j = start; j < end; j++) {
                rows1[j - start] = partner[j];
            }
            try (NDManager s = c.scope().newSubManager()) {
                Pairwise.tempAttach(s, c.z1(), c.z2());
                NDArray x = c.z1().get(new NDIndex("{}", s.create(rows1)));
                NDArray y = c.z2().get(start + ":" + end);
                dist += Pairwise.scalar(x.sub(y).norm(new int[] {1}).sum());
                NDArray dot = x.mul(y).sum(new int[] {1});
                NDArray norms = x.norm(new int[] {1}).mul(y.norm(new int[] {1})).maximum(Double.MIN_NORMAL);
                cos += Pairwise.scalar(dot.div(norms).sum());
            }
        }
        return new double[] {dist / n2, cos / n2};
    }
}
