package org.gaplab.engine.cli;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.sweep.SweepPlan;
import org.gaplab.engine.sweep.SweepRunner;
import org.gaplab.engine.sweep.SweepSpec;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.train.StopSignal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab sweep}: many runs as stacked computations, optionally one shard of them. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Train every point of a sweep spec (YAML/JSON): a base config, a grid and/or list of overrides,",
            "and a range of seeds. Runs are stacked into chunks trained as one computation.",
            "",
            "  name: sigma-sweep",
            "  base: {steps: 2000}",
            "  grid: {data.sigma: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]}",
            "  seeds: {start: 0, count: 20}",
            "",
            "Output: runs.jsonl and runs.csv (one row per point: overrides, seed, final loss, mean pair cosine,",
            "centroid gap, eval loss; with --geometry also retrieval, energy distance, MMD², J; with --measure the",
            "headline numbers of each run's gap report), figures of each",
            "metric against each grid key,",
            "sweep.json, timing.jsonl, checkpoints/chunk-<c>.ckpt (measure --run DIR --run-index I reaches point I).",
            "Compare sweeps, runs and measurements with 'gaplab compare DIR...'.",
            "Re-running the same command resumes (finished chunks are kept). With --shard i/n a process runs",
            "every n-th chunk; 'gaplab merge' joins the shard directories into the table one process gives.",
            "",
            "Examples (specs in examples/):",
            "  gaplab sweep --config examples/quick-sweep.yaml          2 sigmas x 3 seeds, seconds",
            "  gaplab sweep --config examples/sigma-sweep.yaml --plan   the paper's 160 runs: plan and time estimate",
            "  gaplab sweep --config examples/sigma-sweep.yaml --shard 0/4 --out sweeps/s0"})
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "SWEEP.yaml", description = "The sweep spec.")
    Path config;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output directory (default: sweeps/<name>, or sweeps/<name>-shard-<i>-of-<n>).")
    Path out;

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1", description = "Run shard i of n, 0-based (default: ${DEFAULT-VALUE}).")
    String shard;

    @Option(names = "--chunk", paramLabel = "K", description = {"Force K stacked runs per computation (overrides the spec). Default: automatic, at most 16,",
                "the fastest on a CPU's caches; on a GPU pass a large K (e.g. the whole sweep). Results do not depend on K."})
    Integer chunk;

    @Mixin
    DeviceOption device;

    @Option(names = "--plan", description = {"Print the plan (points, chunks, shards) and an estimate of the time, from a few",
                "timed steps of the first chunk on this machine, and exit without training."})
    boolean planOnly;

    @Option(names = "--geometry", description = {"Add to each row retrieval R@1/R@5 both ways, energy distance, MMD² and the k-NN",
                "Jeffreys divergence J, L2I, RMG, the pooled effective rank and the cone effect, measured on up to 2,000 evaluation pairs per run (about 1-4 s per run",
                "on a 2-core CPU; --plan says how long). Default: final loss, pair cosine, centroid gap, eval loss."})
    boolean geometry;

    @Option(names = "--measure", description = {"Measure every run as 'gaplab measure --run' does (the same code, its own evaluation set",
                "and tau): the report per run in measure/point-<index>.json, headline numbers in runs.csv."})
    boolean measureRuns;

    @Option(names = "--measure-subsamples", paramLabel = "R", defaultValue = "20",
            description = "With --measure: repeats R, as measure's --subsamples (default: ${DEFAULT-VALUE}).")
    int measureSubsamples;

    @Option(names = "--measure-subsample", paramLabel = "M", defaultValue = "2000",
            description = "With --measure: points per side m, as measure's --subsample (default: ${DEFAULT-VALUE}).")
    int measureSubsample;

    @Option(names = "--measure-permutations", paramLabel = "P", defaultValue = "199",
            description = "With --measure: permutation-test relabellings, as measure's --permutations (default: ${DEFAULT-VALUE}).")
    int measurePermutations;

    @Option(names = "--no-checkpoints", description = {"Do not keep each chunk's stacked checkpoint (checkpoints/chunk-<c>.ckpt; kept by",
                "default, so 'measure --run DIR --run-index I' and 'embed' reach every run)."})
    boolean noCheckpoints;

    @Option(names = "--json", description = "Print one JSON object with the outcome on stdout.")
    boolean json;

    @Option(names = "--force", description = {"Write into an --out that holds files gaplab did not write, or another kind of",
        "output (default: refused, exit 2); files of the names a sweep writes are replaced."})
    boolean force;

    @Override
    public Integer call() {
        Shard s = Shard.parse(shard);
        SweepSpec spec = SweepSpec.read(config);
        if (chunk != null) {
            org.gaplab.core.Sizes.requireRange(chunk, 1, SweepSpec.MAX_POINTS, "--chunk", "runs stacked in one computation");
            var source = spec.source().deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) source).put("chunk", chunk);
            spec = SweepSpec.fromTree((com.fasterxml.jackson.databind.node.ObjectNode) source, "sweep spec " + config);
        }
        SweepPlan plan = SweepPlan.of(spec);
        org.gaplab.engine.measure.MeasureOptions gapOptions = null;
        if (measureRuns) {
            try {
                gapOptions = org.gaplab.engine.measure.MeasureOptions.defaults().withSubsamples(measureSubsamples)
                        .withSubsampleSize(measureSubsample).withPermutations(measurePermutations);
            } catch (UserException e) {
                throw new UserException("bad option: " + e.getMessage().replace("subsampleSize", "--measure-subsample")
                        .replace("subsamples", "--measure-subsamples").replace("permutations", "--measure-permutations"));
            }
        }
        common.apply(plan.points().get(0).config().workPerStep(plan.chunkSize()));
        org.gaplab.engine.sweep.Sweeps.RunMeasure perRun = geometry ? new org.gaplab.engine.experiment.EvalGeometry() : null;
        if (planOnly) {
            DeviceChoice where = device.choose();
            // the estimate trains a few steps of the first chunk: admitted like the sweep itself
            MemoryAdmission.admit(MemoryAdmission.training(plan.points().get(0).config(), plan.chunks().get(0).size(), "--chunk"),
                    MemoryAdmission.budget(where.device(), common.memoryBudget()));
            var estimate = org.gaplab.engine.sweep.PlanEstimate.measure(plan, s, where.device(), perRun);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("points", plan.points().size());
            p.put("chunk_size", plan.chunkSize());
            p.put("chunks", plan.chunks().size());
            p.put("shard", s.toString());
            p.put("shard_chunks", plan.chunksOf(s));
            p.put("shard_points", plan.pointsOf(s).size());
            p.put("device", where.device().toString());
            p.put("estimated_seconds", Math.round(estimate.seconds()));
            p.put("seconds_per_stacked_step", estimate.secondsPerChunkStep());
            p.put("seconds_per_run_evaluation", estimate.secondsPerRunEval());
            p.put("estimate_from", estimate.calibrationSteps() + " timed steps of the first chunk and one run's evaluation on this machine");
            System.out.println(Json.pretty(p));
            return ExitCodes.OK;
        }
        Path dir = out != null ? out
                : Path.of("sweeps", s.count() == 1 ? spec.name() : spec.name() + "-shard-" + s.index() + "-of-" + s.count());
        DeviceChoice choice = device.choose();
        MemoryAdmission.admit(MemoryAdmission.training(plan.points().get(0).config(), plan.chunkSize(), "--chunk"),
                MemoryAdmission.budget(choice.device(), common.memoryBudget()));
        if (gapOptions != null) {
            // --measure measures every run at its eval.size after training: refuse now, not after hours
            for (var point : plan.points()) {
                MemoryAdmission.admit(MemoryAdmission.measurement(point.config(), point.config().eval().size(), "eval.size (--measure)"),
                        MemoryAdmission.budget(choice.device(), common.memoryBudget()));
            }
        }
        if (dir.toString().isBlank()) {
            throw new UserException("--out must be a directory, got '' (it would write into the current directory)");
        }
        try (StopSignal stop = StopSignal.install()) {
            long t0 = System.nanoTime();
            SweepRunner.ShardStatus outcome = new SweepRunner(spec, plan, dir, s, choice, stop, List.of(GaplabCli.lastArgs()))
                    .withMeasure(perRun).withGapMeasure(gapOptions).withCheckpoints(!noCheckpoints).withForce(force).run();
            double secs = (System.nanoTime() - t0) / 1e9;
            if (outcome == SweepRunner.ShardStatus.INTERRUPTED) {
                return "INT".equals(stop.requested()) ? ExitCodes.INTERRUPTED : ExitCodes.TERMINATED;
            }
            SweepTable table = SweepTable.readJsonl(dir.resolve("runs.jsonl"));
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("schema_version", 1);
                o.put("status", "complete");
                o.put("out", dir.toString());
                o.put("shard", s.toString());
                o.put("rows", table.rows().size());
                o.put("seconds_this_process", secs);
                System.out.println(Json.line(o));
            } else {
                System.out.printf("gaplab sweep: %s shard %s complete, %d rows in %s (%.1f s in this process)%n",
                        spec.name(), s, table.rows().size(), dir, secs);
            }
            return ExitCodes.OK;
        }
    }
}
