package org.gaplab.engine.experiment.gibbslimit;

import org.gaplab.engine.measure.Moments;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.experiment.gibbs.GibbsReference;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Gibbs limit (docs/theory.md section 8.1, "gibbs-limit"): the unimodal Gibbs particles of
 * {@link UnimodalGibbs} trained at several KDE bandwidths h, each level with its own particle count M
 * (M h^2 about constant, so every particle keeps the same number of neighbours within a bandwidth),
 * to tell whether the cap-mass bias of the particle objective is the estimator's (it shrinks as
 * h falls and extrapolates to zero at h = 0) or the theory's.
 *
 * <p>Each level's runs are {@link UnimodalGibbs}' own stacked chunks (same seeds, streams and
 * closed-form gradient); the work units are those chunks, level by level, plus the Monte Carlo
 * reference, so {@code --shard i/n} shares them out and {@code gaplab merge} joins them.
 */
public final class GibbsLimit {
    private GibbsLimit() {}

    /**
     * One level's runs.
     *
     * @param bandwidth h
     * @param particles M
     * @param capMass trained cap mass {@code [tau][seed]}
     * @param objective final objective {@code [tau][seed]}
     */
    public record Level(double bandwidth, int particles, double[][] capMass, double[][] objective) {}

    /**
     * Per level and tau.
     *
     * @param bandwidth h
     * @param particles M
     * @param tau temperature
     * @param seeds finite runs
     * @param meanCap mean trained cap mass
     * @param sdCap its sd over seeds
     * @param gibbs the Gibbs cap mass
     * @param bias mean trained minus Gibbs
     * @param biasSe standard error of the bias (seeds' SEM and Monte Carlo error)
     */
    public record Row(double bandwidth, int particles, double tau, int seeds, double meanCap, double sdCap, double gibbs, double bias,
            double biasSe) {}

    /**
     * Everything the study produced.
     *
     * @param config the settings
     * @param gibbs the reference
     * @param levels per bandwidth
     * @param rows the summary table
     * @param seconds compute time
     * @param device where it ran
     */
    public record GibbsLimitResult(GibbsLimitConfig config, GibbsReference.Estimate gibbs, List<Level> levels, List<Row> rows, double seconds,
            String device) {}

    public static List<Row> rows(GibbsLimitConfig c, GibbsReference.Estimate gibbs, List<Level> levels) {
        List<Row> out = new ArrayList<>();
        for (Level l : levels) {
            for (int t = 0; t < c.taus().size(); t++) {
                double[] cap = Arrays.stream(l.capMass()[t]).filter(Double::isFinite).toArray();
                double mean = Moments.mean(cap);
                double sem = Moments.standardError(cap);   // NaN for one seed
                out.add(new Row(l.bandwidth(), l.particles(), c.taus().get(t), cap.length, mean, cap.length > 1 ? Moments.populationStd(cap) : Double.NaN,
                        gibbs.capMass()[t], mean - gibbs.capMass()[t], Math.hypot(sem, gibbs.capMassSe()[t])));
            }
        }
        return out;
    }

    static Row row(GibbsLimitResult r, int level, int t) {
        return r.rows().get(level * r.config().taus().size() + t);
    }

}
