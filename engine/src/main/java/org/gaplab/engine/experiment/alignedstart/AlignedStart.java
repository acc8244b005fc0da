package org.gaplab.engine.experiment.alignedstart;

import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.modalitygap.ModalityGap;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.train.RunStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aligned start against independent starts (docs/theory.md section 8.1, "aligned-start"). The
 * competing account of the modality gap (Liang et al. 2022, "Mind the Gap") attributes it to the cone
 * effect of random initialisation, preserved by training; the paper calls the gap a structural
 * necessity rather than an initialisation artifact. Training both towers from the same initial
 * parameters ({@code model.aligned_start}) removes the initial difference between the encoders: a gap
 * that still appears, of the size independent starts reach, is not the initialisation's.
 *
 * <p>Two settings: the modality-gap circle (2x2 linear towers onto S^1, over sigma) and the bundled
 * digits (MLP towers 32-128-32 onto S^31, where a cone effect exists). Each (setting, start, seed) is
 * trained in stacked chunks by {@link TrackedTraining}, which also measures the gap along training.
 */
public final class AlignedStart {
    /** The two starts, as rows name them. */
    public static final String INDEPENDENT = "independent";
    public static final String ALIGNED = "aligned";

    private AlignedStart() {}

    /**
     * Per (dataset, setting, start): summaries over seeds.
     *
     * @param dataset circle or digits
     * @param sigma the circle's sigma (NaN for digits)
     * @param start independent or aligned
     * @param runs completed runs
     * @param medianJ median J (disjoint halves; NaN for digits)
     * @param q25J lower quartile
     * @param q75J upper quartile
     * @param medianGap median centroid gap
     * @param medianGap0 median centroid gap at step 0
     * @param medianEnergy median energy distance
     * @param medianEvalLoss0 median evaluation loss at step 0
     * @param medianEvalLoss median evaluation loss after training
     * @param degenerate runs in a degenerate basin
     * @param unconverged runs flagged unconverged
     */
    public record Cell(String dataset, double sigma, String start, int runs, double medianJ, double q25J, double q75J, double medianGap,
            double medianGap0, double medianEnergy, double medianEvalLoss0, double medianEvalLoss, int degenerate, int unconverged) {}

    /**
     * Everything the study produced.
     *
     * @param config the settings
     * @param rows every run, circle then digits
     * @param cells the summary
     * @param seconds compute time
     * @param device where it ran
     */
    public record AlignedStartResult(AlignedStartConfig config, List<TrackedTraining.Row> rows, List<Cell> cells, double seconds, String device) {}

    /** Every run of one dataset as points, in the order (setting, start, seed). */
    static List<SweepPoint> points(AlignedStartConfig c, String dataset) {
        List<SweepPoint> points = new ArrayList<>();
        if (dataset.equals("circle")) {
            for (double sigma : c.sigmas()) {
                for (String start : List.of(INDEPENDENT, ALIGNED)) {
                    for (int s = 0; s < c.seeds(); s++) {
                        points.add(new SweepPoint(points.size(), Outputs.inOrder("dataset", dataset, "sigma", sigma, "start", start), s,
                                c.circleRun(sigma, s, start.equals(ALIGNED))));
                    }
                }
            }
        } else {
            for (String start : List.of(INDEPENDENT, ALIGNED)) {
                for (int s = 0; s < c.digitsSeeds(); s++) {
                    points.add(new SweepPoint(points.size(), Outputs.inOrder("dataset", dataset, "start", start), s,
                            c.digitsRun(s, start.equals(ALIGNED))));
                }
            }
        }
        return points;
    }

    static List<String> datasets(AlignedStartConfig c) {
        return c.digits() ? List.of("circle", "digits") : List.of("circle");
    }

    static List<List<SweepPoint>> chunks(AlignedStartConfig c, String dataset) {
        return SweepPlan.stack(points(c, dataset), SweepPlan::autoChunk, SweepPlan.Cut.FILL);
    }

    public static int[] path(AlignedStartConfig c, String dataset) {
        return dataset.equals("circle") ? AlignedStartConfig.pathFor(c.path(), c.steps())
                : AlignedStartConfig.pathFor(c.digitsPath(), c.digitsSteps());
    }

    /** Degenerate basin: mirrored 2x2 maps, unaligned partners, or a non-finite statistic (docs/theory.md section 7). */
    public static boolean degenerate(TrackedTraining.Row r) {
        return r.status() != RunStatus.COMPLETED || r.metric("opposite_orientation") > 0.5 || r.metric("mean_pair_cosine") < 0
                || !Double.isFinite(r.metric("centroid_gap"));
    }

    static List<TrackedTraining.Row> select(List<TrackedTraining.Row> rows, String dataset, double sigma, String start) {
        return rows.stream().filter(r -> dataset.equals(r.overrides().get("dataset")) && start.equals(r.overrides().get("start"))
                && (!dataset.equals("circle") || ((Number) r.overrides().get("sigma")).doubleValue() == sigma)).toList();
    }

    /** @return the metric of every seed 0..n-1 (NaN where absent) */
    static double[] bySeed(List<TrackedTraining.Row> rows, String metric, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (TrackedTraining.Row r : rows) {
            if (r.seed() < n && r.status() == RunStatus.COMPLETED) {
                out[(int) r.seed()] = r.metric(metric);
            }
        }
        return out;
    }

    public static List<Cell> cells(AlignedStartConfig c, List<TrackedTraining.Row> rows) {
        List<Cell> out = new ArrayList<>();
        for (String dataset : datasets(c)) {
            List<Double> settings = dataset.equals("circle") ? c.sigmas() : List.of(Double.NaN);
            for (double sigma : settings) {
                for (String start : List.of(INDEPENDENT, ALIGNED)) {
                    List<TrackedTraining.Row> at = select(rows, dataset, sigma, start);
                    double[] j = at.stream().mapToDouble(r -> r.metric("jeffreys")).filter(Double::isFinite).toArray();
                    out.add(new Cell(dataset, sigma, start, (int) at.stream().filter(r -> r.status() == RunStatus.COMPLETED).count(),
                            ModalityGap.quantile(j, 0.5), ModalityGap.quantile(j, 0.25), ModalityGap.quantile(j, 0.75),
                            median(at, "centroid_gap"), median(at, "centroid_gap_0"), median(at, "energy_distance"), median(at, "eval_loss_0"),
                            median(at, "eval_loss"), (int) at.stream().filter(AlignedStart::degenerate).count(),
                            (int) at.stream().filter(r -> !r.converged()).count()));
                }
            }
        }
        return out;
    }

    static double median(List<TrackedTraining.Row> rows, String metric) {
        return ModalityGap.quantile(rows.stream().mapToDouble(r -> r.metric(metric)).filter(Double::isFinite).toArray(), 0.5);
    }

}
