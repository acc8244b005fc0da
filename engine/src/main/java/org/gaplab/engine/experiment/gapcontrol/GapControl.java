package org.gaplab.engine.experiment.gapcontrol;

import org.gaplab.engine.measure.Moments;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;

import java.util.List;
import java.util.Map;

/**
 * {@code gaplab reproduce gap-control}: the explicit cross-modal divergence regulariser of
 * docs/theory.md section 5. Symmetric InfoNCE plus {@code lambda * D} is trained for each lambda on the
 * circle data at sigma = 0.5 (MLP towers onto S^7, {@link GapControlConfig#circleRun}) and on the
 * digit halves; gap statistics and retrieval of the evaluation set are plotted against lambda. The
 * theory predicts a trade-off: the gap closes as lambda grows, at a cost to the contrastive fit,
 * which is judged by the held-out InfoNCE loss (retrieval on the circle is at chance at every
 * lambda: its latent is continuous, so held-out pairs have near-identical neighbours).
 */
public final class GapControl {
    /** The swept key in rows and tables. */
    public static final String KEY = "lambda";

    private GapControl() {}

    /**
     * One dataset's sweep.
     *
     * @param dataset "circle" or "digits"
     * @param rows every run
     * @param points per-lambda summary
     */
    public record Curve(String dataset, SweepTable rows, List<ParameterStudy.Point> points) {}

    /**
     * @param config the settings
     * @param curves circle, then digits
     * @param seconds wall time
     * @param device where it ran
     */
    public record GapControlResult(GapControlConfig config, List<Curve> curves, double seconds, String device) {}

    /**
     * Root-mean-square distance of unit vectors to their centroid, {@code sqrt(1 - ||c||^2)}
     * (since {@code E||z - c||^2 = 1 - ||c||^2} on the sphere), averaged over the two modalities in
     * quadrature: the spread against which a centroid gap is small or large. It is 0 for a
     * collapsed embedding.
     */
    static double spread(SweepRow row) {
        double c1 = row.metric(Metric.EVAL_CENTROID_NORM_1);
        double c2 = row.metric(Metric.EVAL_CENTROID_NORM_2);
        return Math.sqrt(Math.max(0, 1 - (c1 * c1 + c2 * c2) / 2));
    }

    /** @return f of each seed 0..n-1 at lambda (NaN where the run is missing or did not complete) */
    static double[] bySeed(Curve c, double lambda, java.util.function.ToDoubleFunction<SweepRow> f, int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        for (SweepRow x : c.rows().rows()) {
            if (x.completed() && ((Number) x.overrides().get(KEY)).doubleValue() == lambda && x.seed() < n) {
                out[(int) x.seed()] = f.applyAsDouble(x);
            }
        }
        return out;
    }

    /** @return a - factor * b elementwise */
    static double[] minus(double[] a, double[] b, double factor) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - factor * b[i];
        }
        return d;
    }

    static double[] finite(double[] v) {
        return java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    static double[] values(Curve c, double lambda, java.util.function.ToDoubleFunction<SweepRow> f) {
        return c.rows().rows().stream().filter(x -> x.completed()
                && ((Number) x.overrides().get(KEY)).doubleValue() == lambda).mapToDouble(f).toArray();
    }

    static double mean(Curve c, double lambda, Metric metric) {
        return Moments.mean(values(c, lambda, x -> x.metric(metric)));
    }

    /** The two datasets of the study, in output order. */
    static List<Map.Entry<String, RunConfig>> datasets(GapControlConfig config) {
        return List.of(Map.entry("circle", config.circle()), Map.entry("digits", config.digits()));
    }

}
