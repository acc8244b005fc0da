package org.gaplab.engine.cli;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.train.RunResult;
import org.gaplab.engine.train.RunStatus;
import org.gaplab.engine.train.StopSignal;
import org.gaplab.engine.train.TrainingRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab train}: one training run with a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Train a dual encoder with a contrastive loss and write a run directory.",
            "",
            "With no options it trains the paper's modality-gap setup: two bias-free 2x2 linear encoders",
            "onto the circle S^1, symmetric InfoNCE at tau = 0.07, Adam lr 5e-3, batch 256, 2000 steps, on",
            "the circle mixture with latent misalignment sigma = 0.4, seed 0.",
            "",
            "Configs are YAML or JSON; every key has a default (see a run's config.json for all of them).",
            "Override any key with --set, e.g.:",
            "  gaplab train --set data.sigma=0 --set steps=500",
            "  gaplab train --set model.temperature.learnable=true --set optim.kind=adamw",
            "  gaplab train --set model.tower1.kind=mlp --set model.tower1.hidden=[64,64] ...",
            "",
            "Ready-made configs in examples/:",
            "  gaplab train --config examples/digits.yaml              the bundled digits, MLP towers, 300 steps",
            "  gaplab train --config examples/mlp-learnable-tau.yaml",
            "",
            "The run directory (default runs/<name>-<yyyyMMdd-HHmmss>, e.g. runs/modality-gap-20261124-011207)",
            "holds config.json, model.json, provenance.json, metrics.jsonl, train.log, checkpoint.ckpt,",
            "summary.json and loss.png/.svg/.pdf. SIGTERM/SIGINT writes a checkpoint and exits; continue with",
            "--resume DIR (on CPU the resumed run reproduces the uninterrupted one exactly). Compare runs with",
            "'gaplab compare DIR...'."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML or JSON config (keys not given keep their defaults).")
    Path config;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "Override one config key (repeatable), e.g. optim.lr=1e-3.")
    List<String> overrides = new ArrayList<>();

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Run directory (default: runs/<name>-<timestamp>).")
    Path out;

    @Mixin
    DeviceOption device;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its checkpoint (--set steps=N may extend it).")
    Path resume;

    @Option(names = "--json", description = "Print one JSON object with the outcome on stdout (logs stay on stderr).")
    boolean json;

    @Option(names = "--force", description = {"Write into an --out that holds files gaplab did not write (default: refused,",
        "exit 2); files of the names a run writes are replaced. /, top-level directories and $HOME stay refused."})
    boolean force;

    /**
     * A run whose name was never set gets its data's kind as name ("files", "digits"), so the run
     * directory does not claim to be the default modality-gap run.
     */
    private RunConfig namedForItsData(RunConfig rc) {
        RunConfig defaults = RunConfig.defaults();
        boolean named = overrides.stream().anyMatch(o -> o.trim().startsWith("name="));
        if (!named && config != null) {
            try {
                named = org.gaplab.core.Json.YAML.readTree(config.toFile()).has("name");
            } catch (java.io.IOException e) {
                named = true; // the loader read it already; leave the name as it is
            }
        }
        if (named || !rc.name().equals(defaults.name()) || rc.data().kind().equals(defaults.data().kind())) {
            return rc;
        }
        org.apache.logging.log4j.LogManager.getLogger(TrainCommand.class).info(
                "run name: {} (no name given; '{}' is the default of the circle data; --set name=... to choose)",
                rc.data().kind(), defaults.name());
        return rc.withName(rc.data().kind());
    }

    @Override
    public Integer call() {
        DeviceRequest request = device.request();
        if (resume != null && (config != null || out != null)) {
            throw new UserException("--resume continues an existing run: do not combine it with --config or --out");
        }
        TrainingRun.Builder b = TrainingRun.builder().optDevice(request).optKeepModel(false).optMemoryBudget(common.memoryBudget()).optForce(force)
                .optCommandLine(List.of(org.gaplab.engine.cli.GaplabCli.lastArgs()));
        if (resume != null) {
            common.apply(TrainingRun.resumedConfig(resume, overrides).workPerStep(1));
            b.optResume(resume, overrides);
        } else {
            RunConfig rc = namedForItsData(ConfigLoader.load(config, overrides));
            common.apply(rc.workPerStep(1));
            b.setConfig(rc).optOutputDir(out);
        }
        try (StopSignal stop = StopSignal.install()) {
            b.optStopSignal(stop);
            TrainingRun run = b.build();
            try (RunResult r = run.call()) {
                print(r);
                if (r.status() == RunStatus.DIVERGED) {
                    boolean kept = java.nio.file.Files.exists(r.runDir().resolve(org.gaplab.engine.checkpoint.Checkpoint.FILE_NAME));
                    System.err.println("gaplab: error: training stopped by step " + r.steps() + ": " + r.reason() + "; "
                            + (kept ? "the last good checkpoint is kept in " + r.runDir()
                                    : "it happened before the first checkpoint, so none was written (summary in " + r.runDir() + ")"));
                    return ExitCodes.DIVERGED;
                }
                if (r.status() == RunStatus.INTERRUPTED) {
                    return "INT".equals(stop.requested()) ? ExitCodes.INTERRUPTED : ExitCodes.TERMINATED;
                }
                return ExitCodes.OK;
            }
        }
    }

    private void print(RunResult r) {
        RunConfig c = r.config();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("schema_version", 1);
            o.put("status", r.status().key());
            o.put("run_dir", r.runDir().toString());
            o.put("steps", r.steps());
            o.put("seconds", r.seconds());
            o.put("steps_per_second", r.stepsPerSecond());
            o.put("final_loss", r.finalLoss());
            if (r.reason() != null) {
                o.put("reason", r.reason());
            }
            o.put("eval", r.eval());
            System.out.println(Json.line(o));
            return;
        }
        String data = c.data() instanceof CircleMixtureConfig cm ? "circle mixture, sigma " + cm.sigma() : c.data().kind();
        System.out.printf("gaplab train: %s (%s, seed %d) -> %s%n", c.name(), data, c.seed(), r.status().key());
        System.out.printf("  steps        %d in %.1f s (%.0f steps/s)%n", r.steps(), r.seconds(), r.stepsPerSecond());
        System.out.printf("  final loss   %.4f (mean of the last %d steps; ln B = %.4f)%n", r.finalLoss(),
                org.gaplab.engine.train.TrainingRun.logInterval(c), Math.log(c.batchSize()));
        if (r.eval() != null) {
            System.out.printf("  eval (n=%d)  mean pair cosine %.4f, centroid gap %.4f, loss on one batch %.4f%n",
                    r.eval().n(), r.eval().meanPairCosine(), r.eval().centroidGap(), r.eval().evalLoss());
        }
        System.out.printf("  run dir      %s%n", r.runDir());
        if (r.status() == RunStatus.COMPLETED) {
            System.out.printf("Next: gaplab measure --run %s%n", r.runDir());
        }
    }
}
