package org.gaplab.engine.sweep;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.gaplab.core.Json;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.train.RunGap;
import org.gaplab.models.DualEncoder;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code gaplab sweep --measure}: every trained point is measured by the code behind
 * {@code gaplab measure --run} ({@link RunGap}), on its own evaluation set at its own temperature;
 * the whole report goes to {@code measure/point-<index>.json} (the layout of {@code measure --out}'s
 * gap_report.json) and its headline numbers into the point's row.
 */
public final class SweepGapMeasure implements Sweeps.PointMeasure {
    /** Where the per-point reports go, relative to the sweep directory. */
    public static final String DIR = "measure";

    /**
     * The report's statistics copied into a sweep row, where the report has them (the rest stay in
     * the per-point JSON, which {@code gaplab compare} reads).
     */
    public static final List<String> HEADLINE = List.of("centroid_gap", "knn_jeffreys", "energy_distance", "mmd2_rbf_1x",
            "r1_1to2", "r1_2to1", "wang_isola_alignment", "wang_isola_uniformity_1", "wang_isola_uniformity_2",
            "large_batch_energy", "energy_E_plus_log_c_tau");

    /** Metric names a sweep row has before the report's: a report statistic of the same name is prefixed. */
    static final Set<String> TRAINING = Set.of("final_loss", "mean_pair_cosine", "centroid_gap", "eval_loss");

    private final MeasureOptions options;
    private final Path sweepDir;

    /**
     * @param options how to measure (as {@code gaplab measure}'s options)
     * @param sweepDir the sweep (shard) directory
     */
    public SweepGapMeasure(MeasureOptions options, Path sweepDir) {
        this.options = options;
        this.sweepDir = sweepDir;
    }

    /** @return the file holding a point's report */
    public static Path reportFile(Path sweepDir, int index) {
        return sweepDir.resolve(DIR).resolve("point-" + index + ".json");
    }

    /**
     * @param name a report statistic
     * @param taken names the row or entry already has
     * @return its column name: the statistic's own, or {@code report.<name>} when that is taken
     */
    public static String columnName(String name, Set<String> taken) {
        return taken.contains(name) ? "report." + name : name;
    }

    @Override
    public Map<String, Double> measure(SweepPoint point, DualEncoder model, int run, long step, NDManager scope) {
        NDList z = RunGap.embed(model, run, point.config(), point.config().eval().size(), scope);
        GapReport report = RunGap.measure(z, GapMeasurer.tau(model, run), options, "option",
                sweepDir + " point " + point.index(), step);
        Json.write(reportFile(sweepDir, point.index()), report);
        ReportMetrics.Read read = ReportMetrics.read(Json.MAPPER.valueToTree(report));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String h : HEADLINE) {
            Double v = read.values().get(h);
            if (v != null) {
                out.put(columnName(h, TRAINING), v);
            }
        }
        return out;
    }
}
