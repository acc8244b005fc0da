package example;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.Experiment;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;

/**
 * An experiment of your own: the centroid gap of the paper's circle data against the embedding
 * dimension d (linear towers onto the sphere S^(d-1)). Listed in
 * META-INF/services/org.gaplab.engine.experiment.Experiment, so with this jar on the classpath
 * `gaplab reproduce gap-vs-dim` runs it, with --shard, resume and `gaplab merge` as for the paper's.
 */
public class GapVsDimension implements Experiment<GapVsDimension.Config> {
    /**
     * The settings: every field is a config key (--set dims=[2,8], --config FILE).
     *
     * @param dims the embedding dimensions d
     * @param seeds seeds per dimension
     * @param steps training steps per run
     */
    public record Config(List<Integer> dims, int seeds, int steps) {
        /** Validates: a bad value is a one-line error naming the key. */
        public Config {
            if (dims == null || dims.isEmpty() || dims.stream().anyMatch(d -> d < 2)) {
                throw new IllegalArgumentException("dims: give at least one dimension, each >= 2, got " + dims);
            }
            if (seeds < 1 || steps < 1) {
                throw new IllegalArgumentException("seeds and steps must be >= 1, got " + seeds + " and " + steps);
            }
            dims = List.copyOf(dims);
        }
    }

    @Override
    public String name() {
        return "gap-vs-dim";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config paperConfig() {
        return new Config(List.of(2, 3, 4, 8, 16), 5, 1000);
    }

    @Override
    public Config quickConfig() {
        return new Config(List.of(2, 4, 8), 2, 100);
    }

    @Override
    public List<String> description() {
        return List.of("The centroid gap against the embedding dimension d (circle data, sigma 0.4, linear towers onto S^(d-1)).");
    }

    @Override
    public Config withSeeds(Config c, int seeds) {
        return new Config(c.dims(), seeds, c.steps());
    }

    @Override
    public Config withSteps(Config c, int steps) {
        return new Config(c.dims(), c.seeds(), steps);
    }

    /** One unit per dimension: its seeds train as one stacked computation. */
    @Override
    public List<String> units(Config c) {
        return c.dims().stream().map(d -> "d" + d).toList();
    }

    @Override
    public Object runUnit(Config c, String unit, UnitContext context) {
        int d = Integer.parseInt(unit.substring(1));
        List<RunConfig> runs = new ArrayList<>();
        for (int seed = 0; seed < c.seeds(); seed++) {
            runs.add(ConfigLoader.override(RunConfig.defaults(), Map.of("name", "gap-vs-dim", "seed", seed, "steps", c.steps(),
                    "eval.size", 2000, "model.tower1.output_dim", d, "model.tower2.output_dim", d)));
        }
        SweepTable table = Sweeps.run(runs, context.device(), 0);
        List<Double> gaps = table.rows().stream().map(r -> r.metric("centroid_gap")).toList();
        List<Long> seeds = table.rows().stream().map(SweepRow::seed).toList();
        return Map.of("d", d, "seeds", seeds, "centroid_gap", gaps);
    }

    @Override
    public Map<String, Object> render(Config c, Results results, Path dir) {
        List<double[]> points = new ArrayList<>();          // d, seed, gap
        List<Object[]> rows = new ArrayList<>();
        for (String unit : units(c)) {
            var n = results.units().get(unit);
            int d = n.path("d").asInt();
            for (int i = 0; i < n.path("seeds").size(); i++) {
                double gap = n.path("centroid_gap").get(i).asDouble();
                points.add(new double[] {d, n.path("seeds").get(i).asLong(), gap});
                rows.add(new Object[] {d, n.path("seeds").get(i).asLong(), gap});
            }
        }
        Outputs.csv(dir.resolve("gap_vs_dim.csv"), List.of("d", "seed", "centroid_gap"), rows);

        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[2]).toArray();
        long[] seed = points.stream().mapToLong(p -> (long) p[1]).toArray();
        // the same verdict machinery as the paper's claims: a trend within seeds, tested across them
        Claim claim = HypothesisTests.trendClaim("The centroid gap falls as the embedding dimension grows", "a hypothesis of ours",
                "centroid gap", "d", x, y, seed, HypothesisTests.Direction.DECREASING);
        Outputs.summary(dir.resolve("summary.md"), "Centroid gap against the embedding dimension",
                c.dims().size() + " dimensions x " + c.seeds() + " seeds x " + c.steps() + " steps", List.of(claim), "");

        double[] dims = c.dims().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] mean = new double[dims.length];
        double[] sd = new double[dims.length];
        for (int i = 0; i < dims.length; i++) {
            final double dim = dims[i];
            double[] g = points.stream().filter(p -> p[0] == dim).mapToDouble(p -> p[2]).toArray();
            mean[i] = java.util.Arrays.stream(g).average().orElse(Double.NaN);
            final double m = mean[i];
            sd[i] = g.length < 2 ? 0 : Math.sqrt(java.util.Arrays.stream(g).map(v -> (v - m) * (v - m)).sum() / (g.length - 1));
        }
        var chart = Figures.lineChart("Centroid gap against d", "embedding dimension d", "centroid gap (mean ± sd over seeds)");
        Figures.addLine(chart, "centroid gap", dims, mean, sd);
        Figures.save(chart, dir.resolve("gap_vs_dim"));
        return Outputs.inOrder("schema_version", 1, "experiment", name(), "dims", c.dims(), "mean_centroid_gap", mean,
                "claims", List.of(claim));
    }
}
