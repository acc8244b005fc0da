package org.gaplab.engine.experiment.sharpening;

import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.alignedstart.AlignedStart;
import org.gaplab.engine.experiment.modalitygap.ModalityGap;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.train.RunStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Kernel sharpening (docs/theory.md section 8.1, "sharpening"): the paper's abstract speaks of "a
 * persistent negative symmetric divergence term that remains even after kernel sharpening". The
 * modality-gap circle is trained at fixed misalignment sigma over temperatures from 1 to 0.02, beside
 * the sigma = 0 control at each temperature, every run long enough to check its convergence. The
 * claim: at every tau the gap (J on disjoint halves, centroid gap) stays above the control. The trend
 * against tau is an observation, set beside Liang et al. (2022), who report the gap growing as the
 * temperature falls.
 */
public final class Sharpening {
    private Sharpening() {}

    /**
     * Per (tau, sigma).
     *
     * @param tau temperature
     * @param sigma misalignment
     * @param runs completed runs
     * @param converged converged runs
     * @param degenerate runs in a degenerate basin
     * @param medianJ median J over converged runs
     * @param q25J lower quartile
     * @param q75J upper quartile
     * @param medianGap median centroid gap over converged runs
     * @param q25Gap lower quartile
     * @param q75Gap upper quartile
     * @param medianFinalLoss median final loss
     * @param maxDrift largest relative loss drift over the last tenth of training
     */
    public record Cell(double tau, double sigma, int runs, int converged, int degenerate, double medianJ, double q25J, double q75J,
            double medianGap, double q25Gap, double q75Gap, double medianFinalLoss, double maxDrift) {}

    /**
     * @param config settings
     * @param rows every run
     * @param cells the summary
     * @param seconds compute time
     * @param device where it ran
     */
    public record SharpeningResult(SharpeningConfig config, List<TrackedTraining.Row> rows, List<Cell> cells, double seconds, String device) {}

    static List<SweepPoint> points(SharpeningConfig c) {
        List<SweepPoint> points = new ArrayList<>();
        for (double tau : c.taus()) {
            for (double sigma : c.sigmas()) {
                for (int s = 0; s < c.seeds(); s++) {
                    points.add(new SweepPoint(points.size(), Outputs.inOrder("tau", tau, "sigma", sigma), s, c.run(tau, sigma, s)));
                }
            }
        }
        return points;
    }

    static List<List<SweepPoint>> chunks(SharpeningConfig c) {
        return SweepPlan.stack(points(c), SweepPlan::autoChunk, SweepPlan.Cut.FILL);
    }

    static List<TrackedTraining.Row> at(List<TrackedTraining.Row> rows, double tau, double sigma) {
        return rows.stream().filter(r -> ((Number) r.overrides().get("tau")).doubleValue() == tau
                && ((Number) r.overrides().get("sigma")).doubleValue() == sigma).toList();
    }

    public static List<Cell> cells(SharpeningConfig c, List<TrackedTraining.Row> rows) {
        List<Cell> out = new ArrayList<>();
        for (double tau : c.taus()) {
            for (double sigma : c.sigmas()) {
                List<TrackedTraining.Row> at = at(rows, tau, sigma);
                List<TrackedTraining.Row> ok = at.stream().filter(TrackedTraining.Row::converged).toList();
                double[] j = ok.stream().mapToDouble(r -> r.metric("jeffreys")).filter(Double::isFinite).toArray();
                double[] g = ok.stream().mapToDouble(r -> r.metric("centroid_gap")).filter(Double::isFinite).toArray();
                out.add(new Cell(tau, sigma, (int) at.stream().filter(r -> r.status() == RunStatus.COMPLETED).count(), ok.size(),
                        (int) at.stream().filter(AlignedStart::degenerate).count(), ModalityGap.quantile(j, 0.5), ModalityGap.quantile(j, 0.25),
                        ModalityGap.quantile(j, 0.75), ModalityGap.quantile(g, 0.5), ModalityGap.quantile(g, 0.25), ModalityGap.quantile(g, 0.75),
                        ModalityGap.quantile(at.stream().mapToDouble(r -> r.metric("final_loss")).toArray(), 0.5),
                        at.stream().mapToDouble(r -> r.metric("loss_drift")).filter(Double::isFinite).max().orElse(Double.NaN)));
            }
        }
        return out;
    }

    /** @return the metric per seed over converged runs only (NaN elsewhere) */
    static double[] converged(List<TrackedTraining.Row> rows, String metric, int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        for (TrackedTraining.Row r : rows) {
            if (r.seed() < n && r.converged()) {
                out[(int) r.seed()] = r.metric(metric);
            }
        }
        return out;
    }

}
