package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The centroid gap and norms ({@link CentroidGap}): on the whole set and on each repeat's independent samples. */
final class CentroidEstimator implements Estimator {
    @Override
    public String name() {
        return "centroid gap";
    }

    @Override
    public String description() {
        return "distance between the two modalities' mean embeddings, each image once (Liang et al. 2022)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.POOLED_DISTANCES);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(); // described in StatisticCatalogue, as before the estimator list
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        put(out, CentroidGap.compute(c.z1(), c.z2()));
    }

    @Override
    public void repeat(RepeatContext c, Map<String, Double> out) {
        put(out, CentroidGap.compute(c.centroidRows(), c.y64()));
    }

    static void put(Map<String, Double> out, CentroidGap.Result c) {
        out.put("centroid_gap", c.gap());
        out.put("centroid_norm_1", c.norm1());
        out.put("centroid_norm_2", c.norm2());
        out.put("centroid_cosine", c.cosine());
    }
}
