package org.gaplab.engine.experiment;

import ai.djl.Device;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.engine.measure.Moments;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;
import org.gaplab.engine.train.StopSignal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One scalar setting swept over values x seeds, every run trained (structurally equal runs stacked
 * into one computation) and measured by {@link EvalGeometry}; the rows are then summarised per value
 * as mean and standard deviation over seeds. Shared by the corruption and gap-control studies.
 */
public final class ParameterStudy {
    private static final Logger LOG = LogManager.getLogger(ParameterStudy.class);

    private ParameterStudy() {}

    /**
     * Mean and sd over seeds of every metric at one value of the parameter.
     *
     * @param value the parameter's value
     * @param runs completed runs
     * @param mean metric means
     * @param sd metric standard deviations (0 with one seed)
     */
    public record Point(double value, int runs, Map<String, Double> mean, Map<String, Double> sd) {
        /** @return the mean of a metric, NaN when no completed run measured it */
        public double mean(Metric metric) {
            return mean.getOrDefault(metric.key(), Double.NaN);
        }

        /** @return the sd of a metric, NaN when no completed run measured it */
        public double sd(Metric metric) {
            return sd.getOrDefault(metric.key(), Double.NaN);
        }

        /**
         * @return the mean of the metric of that key, NaN when no completed run measured it
         * @throws org.gaplab.engine.config.ConfigException for a key that is no metric, listing the known ones
         */
        public double mean(String metric) {
            return mean(Metric.of(metric));
        }

        /**
         * @return the sd of the metric of that key, NaN when no completed run measured it
         * @throws org.gaplab.engine.config.ConfigException for a key that is no metric, listing the known ones
         */
        public double sd(String metric) {
            return sd(Metric.of(metric));
        }
    }

    /**
     * Every (value, seed) as a point, grouped into the stacked computations {@link #trainChunk} trains:
     * structurally equal runs together, in index order, at most {@link SweepPlan#autoChunk} per chunk.
     * An experiment's work units are these chunks.
     *
     * @return the chunks, in order
     */
    public static List<List<SweepPoint>> chunks(String key, List<Double> values, int seeds,
            BiFunction<Double, Long, RunConfig> configFor) {
        List<SweepPoint> points = new ArrayList<>();
        for (int v = 0; v < values.size(); v++) {
            for (int s = 0; s < seeds; s++) {
                Map<String, Object> overrides = new LinkedHashMap<>();
                overrides.put(key, values.get(v));
                points.add(new SweepPoint(points.size(), overrides, s, configFor.apply(values.get(v), (long) s)));
            }
        }
        return SweepPlan.stack(points, SweepPlan::autoChunk, SweepPlan.Cut.FILL);
    }

    /** Trains and measures one chunk of {@link #chunks} as one stacked computation. */
    public static List<SweepRow> trainChunk(String key, List<SweepPoint> chunk, Device device) {
        long start = System.nanoTime();
        List<SweepRow> rows = Sweeps.trainChunk(chunk, device, StopSignal.none(), n -> { }, new EvalGeometry());
        LOG.info("{} runs ({}={}..) trained and measured in {} s", chunk.size(), key,
                chunk.get(0).overrides().get(key), Outputs.f((System.nanoTime() - start) / 1e9, 1));
        return rows;
    }

    /** @return per value of {@code key}: mean and sd over the completed runs */
    public static List<Point> summarise(SweepTable table, String key, List<Double> values) {
        List<Point> out = new ArrayList<>();
        for (double v : values) {
            List<SweepRow> at = table.rows().stream().filter(r -> r.completed()
                    && ((Number) r.overrides().get(key)).doubleValue() == v).toList();
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, Double> sd = new LinkedHashMap<>();
            if (!at.isEmpty()) {
                for (String metric : at.get(0).metrics().keySet()) {
                    double[] xs = at.stream().mapToDouble(r -> r.metrics().getOrDefault(metric, Double.NaN)).toArray();
                    mean.put(metric, Moments.mean(xs));
                    sd.put(metric, xs.length > 1 ? Moments.populationStd(xs) : 0);
                }
            }
            out.add(new Point(v, at.size(), mean, sd));
        }
        return out;
    }

    /** Writes the per-value table as CSV: value, runs, then mean and sd of each metric. */
    public static void writeCsv(Path file, String key, List<Point> points, List<String> metrics) {
        List<String> header = new ArrayList<>(List.of(key, "runs"));
        metrics.forEach(m -> {
            header.add(m + "_mean");
            header.add(m + "_sd");
        });
        List<Object[]> rows = new ArrayList<>();
        for (Point p : points) {
            List<Object> row = new ArrayList<>(List.of(p.value(), p.runs()));
            metrics.forEach(m -> {
                row.add(p.mean(m));
                row.add(p.sd(m));
            });
            rows.add(row.toArray());
        }
        Outputs.csv(file, header, rows);
    }

    /**
     * Each metric's mean against the parameter, with sd error bars over the runs at each point.
     * Metrics of one scale (largest means within a factor of 3) share one axis; otherwise each
     * gets its own panel (small multiples), so no curve is flattened against the axis.
     *
     * @param base output path without extension
     * @param title chart title (single panel)
     * @param xLabel the parameter's symbol
     * @param yLabel the axis title (single panel)
     * @param points the summary
     * @param labels legend entry or panel title per metric name (drawn in metric-name order)
     */
    public static void figure(Path base, String title, String xLabel, String yLabel, List<Point> points,
            Map<String, String> labels) {
        double[] x = points.stream().mapToDouble(Point::value).toArray();
        int runs = points.stream().mapToInt(Point::runs).min().orElse(0);
        Map<String, String> ordered = new java.util.TreeMap<>(labels);
        double[] scale = ordered.keySet().stream()
                .mapToDouble(m -> points.stream().mapToDouble(p -> Math.abs(p.mean(m))).filter(Double::isFinite).max().orElse(0))
                .filter(v -> v > 0).toArray();
        boolean oneScale = scale.length == 0
                || java.util.Arrays.stream(scale).max().getAsDouble() <= 3 * java.util.Arrays.stream(scale).min().getAsDouble();
        String bars = "mean ± sd over " + runs + (runs == 1 ? " run" : " runs");
        if (oneScale) {
            var chart = Figures.lineChart(title, xLabel, yLabel + " (" + bars + ")");
            ordered.forEach((metric, label) -> Figures.addLine(chart, label, x,
                    points.stream().mapToDouble(p -> p.mean(metric)).toArray(),
                    points.stream().mapToDouble(p -> p.sd(metric)).toArray()));
            Figures.save(chart, base);
            return;
        }
        List<org.knowm.xchart.XYChart> panels = new ArrayList<>();
        ordered.forEach((metric, label) -> {
            var chart = Figures.lineChart(label, xLabel, bars, Figures.WIDTH, 170);
            Figures.addLine(chart, label, x, points.stream().mapToDouble(p -> p.mean(metric)).toArray(),
                    points.stream().mapToDouble(p -> p.sd(metric)).toArray());
            panels.add(chart);
        });
        Figures.saveGrid(panels, Math.min(3, panels.size()), base);
    }
}
