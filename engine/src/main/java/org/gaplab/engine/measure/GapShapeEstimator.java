package org.gaplab.engine.measure;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the gap vector {@code mu1 - mu2} sits in the data's principal axes (Schrodi et al. 2025
 * find it carried by a few embedding dimensions): the fewest principal axes of the pooled
 * covariance (the equal-weight mixture of the two modalities) whose coordinates of the gap vector
 * hold 50% and 90% of its squared norm, the share of that norm on the first principal axis, and
 * the share of the pooled variance on the first principal axis. A gap vector of norm 0 leaves the
 * concentration undefined: a note, no value.
 */
final class GapShapeEstimator implements Estimator {
    @Override
    public String name() {
        return "gap vector concentration";
    }

    @Override
    public String description() {
        return "how many principal axes carry the gap vector mu1 - mu2, and the first axis's share of the variance";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.SECOND_MOMENTS);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(
                new Statistic("gap_axes_50", "shift-shape", "whole set", "count of principal axes, in [1, d]",
                        "fewest principal axes holding 50% of ||mu1 - mu2||^2"),
                new Statistic("gap_axes_90", "shift-shape", "whole set", "count of principal axes, in [1, d]",
                        "fewest principal axes holding 90% of ||mu1 - mu2||^2"),
                new Statistic("gap_share_first_axis", "shift-shape", "whole set", "fraction in [0, 1]",
                        "share of ||mu1 - mu2||^2 on the first principal axis"),
                new Statistic("first_axis_variance_share", "shift-shape", "whole set", "fraction in [0, 1]",
                        "share of the pooled variance on the first principal axis"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.momentsAvailable();
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        SymmetricSpectrum s = c.pooledSpectrum();
        double trace = 0;
        for (double v : s.values()) {
            trace += Math.max(0, v);
        }
        if (trace > 0) {
            out.put("first_axis_variance_share", Math.max(0, s.values()[0]) / trace);
        }
        double[] c2 = s.coordinates().clone();
        double norm2 = 0;
        for (int i = 0; i < c2.length; i++) {
            c2[i] *= c2[i];
            norm2 += c2[i];
        }
        if (!(norm2 > 0)) {
            c.note("gap vector mu1 - mu2 has norm 0: gap_axes_50/90 and gap_share_first_axis are undefined and left out");
            return;
        }
        out.put("gap_share_first_axis", c2[0] / norm2);
        out.put("gap_axes_50", (double) axesHolding(c2, norm2, 0.5));
        out.put("gap_axes_90", (double) axesHolding(c2, norm2, 0.9));
    }

    /** @return the fewest of the squared coordinates, largest first, whose sum reaches {@code share} of the total */
    static int axesHolding(double[] squared, double total, double share) {
        double[] sorted = squared.clone();
        Arrays.sort(sorted);
        double sum = 0;
        int count = 0;
        for (int i = sorted.length - 1; i >= 0; i--) {
            sum += sorted[i];
            count++;
            if (sum >= share * total * (1 - 1e-12)) {
                break;
            }
        }
        return count;
    }
}
