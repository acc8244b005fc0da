package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Relative modality gap (RMG) with Schrodi et al.'s (ICLR 2025) constants: with the dissimilarity
 * {@code d(a, b) = (1 - cos(a, b)) / 2} in [0, 1], the mean d over matching pairs (every caption
 * once; floored at 1e-3 when it is 0, as they do) divided by itself plus the mean of the two
 * intra-modal mean d over distinct pairs (images once; captions over all distinct caption pairs,
 * captions of one image included, as their COCO code does). Both intra-modal means come in closed
 * form from the sum of the unit rows: {@code sum_{i != j} cos = ||sum_i x_i||^2 - n}.
 * Two independent samples of one law read about 1/2; aligned pairs read near 0.
 */
final class RelativeGapEstimator implements Estimator {
    /** Schrodi et al.'s floor of the matching dissimilarity. */
    static final double FLOOR = 1e-3;

    @Override
    public String name() {
        return "relative modality gap (RMG)";
    }

    @Override
    public String description() {
        return "matching-pair dissimilarity relative to the intra-modal ones, d = (1 - cos)/2 (Schrodi et al. 2025)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.SECOND_MOMENTS);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(
                new Statistic("rmg", "relative-gap", "whole set", "ratio in [0, 1]; 1/2 = pairs no closer than strangers",
                        "relative modality gap: d_pair / (d_pair + (d_11 + d_22)/2), d = (1 - cos)/2"),
                new Statistic("rmg_pair_dissimilarity", "relative-gap", "whole set", "(1 - cos)/2 in [0, 1]",
                        "d_pair: mean (1 - cos)/2 over matching pairs, every caption once"),
                new Statistic("rmg_intra_dissimilarity_1", "relative-gap", "whole set", "(1 - cos)/2 in [0, 1]",
                        "d_11: mean (1 - cos)/2 over distinct pairs of modality 1, each image once"),
                new Statistic("rmg_intra_dissimilarity_2", "relative-gap", "whole set", "(1 - cos)/2 in [0, 1]",
                        "d_22: mean (1 - cos)/2 over distinct pairs of modality 2 (all captions)"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.momentsAvailable();
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        if (c.n1() < 2 || c.n2() < 2) {
            c.note("RMG and cone effect skipped: they need at least 2 rows per modality");
            return;
        }
        double pairCos = c.pairMeans()[1];
        double dPair = (1 - pairCos) / 2;
        if (!(dPair > 0)) {
            dPair = FLOOR;
        }
        double d11 = (1 - ConeEstimator.meanCosine(c.unitMoments1())) / 2;
        double d22 = (1 - ConeEstimator.meanCosine(c.unitMoments2())) / 2;
        out.put("rmg", rmg(dPair, d11, d22));
        out.put("rmg_pair_dissimilarity", dPair);
        out.put("rmg_intra_dissimilarity_1", d11);
        out.put("rmg_intra_dissimilarity_2", d22);
    }

    /** @return {@code dPair / (dPair + (d11 + d22) / 2)} */
    static double rmg(double dPair, double d11, double d22) {
        return dPair / (dPair + (d11 + d22) / 2);
    }
}
