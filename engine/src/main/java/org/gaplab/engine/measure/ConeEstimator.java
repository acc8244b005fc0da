package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cone effect (Liang et al. 2022): per modality, the mean and standard deviation of the cosine
 * over all distinct pairs of rows, in closed form from the unit rows' moments:
 * {@code sum_{i != j} cos = ||sum x||^2 - n} and {@code sum_{i != j} cos^2 = ||X^T X||_F^2 - n}.
 * Uniform directions read mean 0; a narrow cone reads near 1.
 */
final class ConeEstimator implements Estimator {
    @Override
    public String name() {
        return "cone effect";
    }

    @Override
    public String description() {
        return "mean and sd of the cosine between distinct embeddings of one modality (Liang et al. 2022, figure 2)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.SECOND_MOMENTS);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(
                new Statistic("cone_cosine_mean_1", "cone", "whole set", "cosine in [-1, 1]; 0 = no cone",
                        "mean cosine over distinct pairs of modality 1, each image once"),
                new Statistic("cone_cosine_sd_1", "cone", "whole set", "cosine", "sd of that cosine over the pairs"),
                new Statistic("cone_cosine_mean_2", "cone", "whole set", "cosine in [-1, 1]; 0 = no cone",
                        "mean cosine over distinct pairs of modality 2 (all captions)"),
                new Statistic("cone_cosine_sd_2", "cone", "whole set", "cosine", "sd of that cosine over the pairs"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.momentsAvailable() && c.n1() >= 2 && c.n2() >= 2;
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        SecondMoments a = c.unitMoments1();
        SecondMoments b = c.unitMoments2();
        out.put("cone_cosine_mean_1", meanCosine(a));
        out.put("cone_cosine_sd_1", sdCosine(a));
        out.put("cone_cosine_mean_2", meanCosine(b));
        out.put("cone_cosine_sd_2", sdCosine(b));
    }

    /** @return the mean cosine over ordered pairs of distinct rows of unit vectors */
    static double meanCosine(SecondMoments m) {
        long n = m.n();
        return (m.sumNorm2() - m.trace()) / ((double) n * (n - 1));
    }

    /** @return the (population) sd of the cosine over ordered pairs of distinct rows */
    static double sdCosine(SecondMoments m) {
        long n = m.n();
        double pairs = (double) n * (n - 1);
        // sum_{i != j} cos^2 = ||X^T X||_F^2 - sum_i ||x_i||^4 = ||G||_F^2 - n for unit rows
        double second = (m.gramFrobenius2() - m.trace()) / pairs;
        double mean = meanCosine(m);
        return Math.sqrt(Math.max(0, second - mean * mean));
    }
}
