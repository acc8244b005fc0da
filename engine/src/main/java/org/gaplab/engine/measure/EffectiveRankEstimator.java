package org.gaplab.engine.measure;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Effective rank, RankMe (Garrido et al., ICML 2023): {@code exp(-sum_k p_k ln p_k)} with
 * {@code p_k = s_k / sum s + 1e-7}, s the singular values of the centred embedding matrix, which
 * are {@code sqrt(n lambda_k)} for the eigenvalues lambda of its covariance (the factor cancels).
 * Per modality (images once, all captions) and pooled: the equal-weight mixture of the two, whose
 * covariance adds {@code (mu1 - mu2)(mu1 - mu2)^T / 4} to the mean of the two covariances.
 * r equal singular values read r; it lies between 1 and d.
 */
final class EffectiveRankEstimator implements Estimator {
    /** Garrido et al.'s epsilon in p_k. */
    static final double EPS = 1e-7;

    @Override
    public String name() {
        return "effective rank (RankMe)";
    }

    @Override
    public String description() {
        return "exp of the entropy of the normalised singular values of the centred embeddings (Garrido et al. 2023)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET, Need.SECOND_MOMENTS);
    }

    @Override
    public List<Statistic> statistics() {
        return List.of(
                new Statistic("effective_rank_1", "rank", "whole set", "dimensions, in [1, d]", "RankMe of modality 1, each image once"),
                new Statistic("effective_rank_2", "rank", "whole set", "dimensions, in [1, d]", "RankMe of modality 2, all captions"),
                new Statistic("effective_rank_pooled", "rank", "whole set", "dimensions, in [1, d]",
                        "RankMe of the equal-weight mixture of both modalities"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.momentsAvailable();
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        out.put("effective_rank_1", rankMe(SymmetricSpectrum.of(c.moments1().covariance(), null).values()));
        out.put("effective_rank_2", rankMe(SymmetricSpectrum.of(c.moments2().covariance(), null).values()));
        out.put("effective_rank_pooled", rankMe(c.pooledSpectrum().values()));
    }

    /**
     * @param eigenvalues of a covariance (negative round-off read as 0)
     * @return RankMe, or NaN when every eigenvalue is 0 (all rows equal)
     */
    static double rankMe(double[] eigenvalues) {
        double[] s = new double[eigenvalues.length];
        double total = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.sqrt(Math.max(0, eigenvalues[i]));
            total += s[i];
        }
        if (!(total > 0)) {
            return Double.NaN;
        }
        double h = 0;
        for (double v : s) {
            double p = v / total + EPS;
            h -= p * Math.log(p);
        }
        return Math.exp(h);
    }
}
