package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The paper's 2-D angle-histogram divergences ({@link AngleHistogramDivergence}), only at d = 2. */
final class AngleHistogramEstimator implements Estimator {
    @Override
    public String name() {
        return "angle histogram divergence";
    }

    @Override
    public String description() {
        return "Jeffreys divergence of the two angle histograms on S^1 (Cai et al., the paper's figure), d = 2 only";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.POOLED_DISTANCES);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(); // described in StatisticCatalogue
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.dim() == 2;
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        put(out, AngleHistogramDivergence.compute(c.z1(), c.z2(), c.options().angleBins(), c.options().angleEps()));
    }

    @Override
    public void repeat(RepeatContext c, Map<String, Double> out) {
        MeasureOptions o = c.whole().options();
        put(out, AngleHistogramDivergence.compute(c.centroidRows(), c.y64(), o.angleBins(), o.angleEps()));
    }

    private static void put(Map<String, Double> out, AngleHistogramDivergence.Result a) {
        out.put("angle_hist_jeffreys", a.jeffreys());
        out.put("angle_hist_dsym", a.dsym());
    }
}
