package org.gaplab.engine.train;

import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.MetricsLog;
import org.gaplab.engine.report.Progress;
import org.gaplab.engine.report.Provenance;
import org.gaplab.engine.report.RunLogFile;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.rundir.OutputDirectory;
import org.gaplab.engine.step.GradientPlan;
import org.gaplab.engine.step.IntervalMetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one training run end to end and leaves a provenance-stamped run directory:
 *
 * <pre>
 *   config.json       resolved config (loadable with --config)
 *   model.json        the architecture alone
 *   provenance.json   versions, device and why, seed, threads, git sha, command line, gradient route
 *   metrics.jsonl     "train" lines every {@link #logInterval} steps, "eval" at the end
 *   train.log         the human log
 *   checkpoint.ckpt   the last good checkpoint (atomic; see {@link Checkpoint})
 *   summary.json      outcome, speed, gradient route and evaluation statistics
 *   loss.png/.svg     the training loss curve
 * </pre>
 *
 * <p>The steps are {@link TrainingLoop}'s; this class chooses its listeners: the divergence check,
 * the metrics lines, progress, the caller's listeners and {@link PeriodicMeasure}, checkpoints,
 * the stop signal, and the outputs at the end (evaluation, figure, summary).
 *
 * <p>The loop syncs with the host only to drain metrics ({@code logEvery}), to check for
 * divergence and collapse there ({@link DivergenceCheck}) and to check finiteness before a
 * checkpoint. A divergence stops the run with status DIVERGED, the reason in the summary, and
 * leaves the last good checkpoint in place. The directory is written only after every check that
 * can refuse the run has passed, and under a {@link DirectoryLock}. A stop request (SIGTERM/SIGINT via {@link StopSignal})
 * writes a checkpoint and ends with status INTERRUPTED; {@link Builder#optResume} continues it and,
 * on CPU, reproduces the uninterrupted run's metrics exactly.
 */
public final class TrainingRun {
    private static final Logger LOG = LogManager.getLogger(TrainingRun.class);

    private final RunConfig config;
    private final Path runDir;
    private final boolean force;
    private final DeviceRequest deviceRequest;
    private final boolean resume;
    private final List<TrainingListener> listeners;
    private final StopSignal stop;
    private final List<String> commandLine;
    private final boolean keepModel;
    private final Long memoryBudget;
    private MetricsLog metrics;
    private RunResult result;

    private TrainingRun(Builder b) {
        this.resume = b.resume != null;
        this.runDir = resume ? b.resume : b.outputDir != null ? b.outputDir : defaultDir(b.config);
        this.force = b.force;
        this.config = resume ? resumedConfig(b.resume, b.overrides) : b.config;
        this.deviceRequest = b.device;
        List<TrainingListener> all = new ArrayList<>(b.listeners);
        all.add(new PeriodicMeasure());
        this.listeners = List.copyOf(all);
        this.stop = b.stop != null ? b.stop : StopSignal.none();
        this.commandLine = b.commandLine;
        this.keepModel = b.keepModel;
        this.memoryBudget = b.memoryBudget;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the resolved config */
    public RunConfig config() {
        return config;
    }

    /** @return the run directory */
    public Path runDir() {
        return runDir;
    }

    /** @return the metrics log (open while the run is running) */
    public MetricsLog metrics() {
        return metrics;
    }

    private static Path defaultDir(RunConfig c) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", c.name() + "-" + stamp);
    }

    /**
     * The config of a run to resume: its {@code config.json} with overrides applied.
     *
     * @throws ConfigException when the directory holds no checkpoint to resume from
     */
    public static RunConfig resumedConfig(Path dir, List<String> overrides) {
        Path file = dir.resolve("config.json");
        if (!Files.exists(dir.resolve(Checkpoint.FILE_NAME))) {
            throw new ConfigException("--resume " + dir + ": no " + Checkpoint.FILE_NAME + " there to resume from");
        }
        return ConfigLoader.load(file, overrides);
    }

    /**
     * Runs training to the end (or to a stop) and evaluates.
     *
     * <p>Everything that can refuse the run is checked before the run directory is touched: the
     * memory estimate, the data, and on resume the checkpoint and its config. A refused run leaves
     * an existing directory byte for byte as it was. Then the directory is locked (one writer at a
     * time, see {@link DirectoryLock}) for as long as the run writes to it.
     *
     * @return the outcome; close it to free the trained model
     */
    public RunResult call() {
        DeviceChoice device = DeviceProbe.choose(deviceRequest);
        MemoryAdmission.admit(MemoryAdmission.training(List.of(config), "runs"),
                MemoryAdmission.budget(device.device(), memoryBudget));
        if (!resume) {
            OutputDirectory.requireWritable(runDir, OutputDirectory.Kind.TRAIN, force);
            requireNoRun();
        }
        try (Trainer trainer = new Trainer(List.of(config), device.device())) {
            if (resume) {
                restore(trainer);
            }
            long startStep = trainer.stepsDone();
            try (DirectoryLock lock = DirectoryLock.acquire(runDir, "gaplab train")) {
                if (!resume) {
                    requireNoRun(); // again under the lock: another writer may have finished meanwhile
                }
                prepareDirectory(device, trainer.gradientPlan());
                try (RunLogFile log = RunLogFile.attach(runDir.resolve("train.log"))) {
                    LOG.info("run directory {}", runDir.toAbsolutePath());
                    LOG.info("device {}: {}", device.device(), device.summary());
                    LOG.debug("device: {}", device.reason());
                    LOG.info("gradient: {}", trainer.gradientPlan());
                    warnSuspicious(trainer);
                    if (resume) {
                        LOG.info("resumed at step {} of {}", startStep, config.steps());
                    }
                    metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), resume ? startStep : -1);
                    try (MetricsLog m = metrics) {
                        return loop(trainer, startStep);
                    } finally {
                        metrics = null;
                    }
                }
            }
        }
    }

    /** Refuses a fresh run into a directory that already holds one. */
    private void requireNoRun() {
        if (Files.exists(runDir.resolve(Checkpoint.FILE_NAME))) {
            throw new ConfigException("output directory " + runDir + " already holds a run; choose another --out or use --resume " + runDir);
        }
    }

    /**
     * Reads the checkpoint and restores the trainer from it; a checkpoint that cannot be read or
     * does not belong to this config is refused (exit 2) before anything is written.
     */
    private void restore(Trainer trainer) {
        Path file = runDir.resolve(Checkpoint.FILE_NAME);
        try (NDManager scratch = trainer.rootManager().newSubManager()) {
            Checkpoint ckpt = Checkpoint.read(file, scratch);
            requireSameRun(ckpt);
            try {
                trainer.restore(ckpt.params(), ckpt.optimizerState(), ckpt.accumulators(), ckpt.counters());
            } catch (RuntimeException e) {
                throw new Checkpoint.CheckpointException("checkpoint " + file + " does not fit this run: "
                        + (e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("")));
            }
        }
    }

    /**
     * @param t a tower
     * @return whether it maps inputs of higher dimension onto S^1 or S^2
     */
    public static boolean lowSphere(org.gaplab.models.TowerConfig t) {
        return t.output().onSphere() && t.outputDim() <= 3 && t.inputDim() > t.outputDim();
    }

    /** Legal settings that are probably mistakes: logged as warnings, the run goes on. */
    private void warnSuspicious(Trainer trainer) {
        if (trainer.source(0) instanceof org.gaplab.datasets.paired.FinitePairedSource f && config.batchSize() > f.trainSize()) {
            LOG.warn("batch_size {} is larger than the {} training pairs: each batch repeats pairs, and a repeated pair is"
                    + " its own negative", config.batchSize(), f.trainSize());
        }
        java.util.Map<String, org.gaplab.models.TowerConfig> towers = new java.util.LinkedHashMap<>();
        towers.put("model.tower1", config.model().tower1());
        towers.put("model.tower2", config.model().tower2());
        towers.forEach((key, t) -> {
            if (!t.hidden().isEmpty() && t.activation() == org.gaplab.models.Activation.IDENTITY) {
                // an easy slip: the default towers are linear, so setting kind=mlp keeps their identity
                LOG.warn("{} has hidden layers {} but activation identity, so it is one linear map; set {}.activation"
                        + " (relu, gelu or tanh) for a nonlinear tower", key, t.hidden(), key);
            }
            if (lowSphere(t)) {
                // the paper's toy maps 2-d inputs onto S^1; features of higher dimension squeezed onto a
                // circle or S^2 lose most of what tells their items apart
                LOG.warn("{} maps {}-dimensional inputs onto the sphere S^{} ({}.output_dim = {}): the default towers are"
                        + " the paper's 2-d toy; for real features set e.g. {}.kind=mlp, hidden=[256], activation=relu,"
                        + " output_dim=32", key, t.inputDim(), t.outputDim() - 1, key, t.outputDim(), key);
            }
        });
    }

    private RunResult loop(Trainer trainer, long startStep) {
        int logEvery = logInterval(config);
        if (logEvery != config.schedule().logEvery()) {
            LOG.info("logging every {} steps: schedule.log_every = {} would give {} loss points for {} steps",
                    logEvery, config.schedule().logEvery(), config.steps() / config.schedule().logEvery(), config.steps());
        }
        // a run resumed at its final step trains nothing: its final loss is the last one logged
        double resumedLoss = startStep > 0 ? lastLoggedLoss(startStep) : Double.NaN;
        result = null;
        try (Progress progress = Progress.start(config.name(), config.steps())) {
            progress.update(startStep, null);
            List<TrainingListener> all = new ArrayList<>();
            all.add(new Outputs(startStep, resumedLoss));   // first, so that later listeners' onEnd see the result
            all.add(DivergenceCheck.stopOnFirst());         // before any listener sees a diverged interval
            all.add(TrainingListener.atIntervals((loop, im) -> metrics.append("train", im.step(), trainLine(im))));
            all.add(TrainingListener.atIntervals((loop, im) -> progress.update(im.step(), String.format("loss %.4f", im.loss()[0]))));
            all.addAll(listeners);
            all.add(new Checkpoints(config.schedule().checkpointEvery()));
            all.add(stop);                                   // last: a stop comes after the step's checkpoint
            TrainingLoop.run(this, trainer, logEvery, all);
        }
        return result;
    }

    /** @return the result of the finished run; null while it runs (read by listeners' onEnd) */
    RunResult result() {
        return result;
    }

    /**
     * Writes a checkpoint every {@code schedule.checkpoint_every} steps and a final one when the
     * steps are done or a stop was requested; a state that is not finite is never written, and
     * ends the run as diverged, so the last checkpoint is always a good one.
     */
    private final class Checkpoints implements TrainingListener {
        private final int every;

        Checkpoints(int every) {
            this.every = every;
        }

        @Override
        public void onStep(TrainingLoop loop) {
            if (every > 0 && loop.source().stepsDone() % every == 0 && !loop.atEnd()) {
                write(loop);
            }
        }

        @Override
        public void beforeEnd(TrainingLoop loop) {
            write(loop);
        }

        private void write(TrainingLoop loop) {
            if (!checkpoint(loop)) {
                loop.diverged(NON_FINITE, null);
            }
        }
    }

    /**
     * The run's outputs at its end: for a completed run the evaluation, its "eval" line, the loss
     * figure and {@code summary.json}; for a diverged or interrupted one the summary saying so.
     */
    private final class Outputs implements TrainingListener {
        private final long startStep;
        private final double resumedLoss;

        Outputs(long startStep, double resumedLoss) {
            this.startStep = startStep;
            this.resumedLoss = resumedLoss;
        }

        @Override
        public void onEnd(TrainingLoop loop, TrainingLoop.Outcome o) {
            Trainer trainer = loop.trainer();
            double secs = o.seconds();
            switch (o.status()) {
                case DIVERGED -> {
                    boolean kept = Files.exists(runDir.resolve(Checkpoint.FILE_NAME));
                    LOG.error("training diverged by step {} ({}); stopped, {}", o.step(), o.reason(),
                            kept ? "last good checkpoint kept in " + runDir : "no checkpoint was written before it");
                    RunResult r = new RunResult(config, runDir, RunStatus.DIVERGED, o.step(), secs,
                            o.metrics() == null ? Double.NaN : o.metrics().loss()[0], null, null, o.reason());
                    writeSummary(r, trainer);
                    result = r;
                }
                case INTERRUPTED -> {
                    LOG.warn("stopped by SIG{} at step {}; checkpoint written; continue with: gaplab train --resume {}",
                            stop.requested(), o.step(), runDir);
                    RunResult r = new RunResult(config, runDir, RunStatus.INTERRUPTED, o.step(), secs, lastLoss(o), null, null, null);
                    writeSummary(r, trainer);
                    result = r;
                }
                case COMPLETED -> completed(trainer, secs, lastLoss(o));
                default -> throw new IllegalStateException("unknown status " + o.status());
            }
        }

        private double lastLoss(TrainingLoop.Outcome o) {
            return o.metrics() != null ? o.metrics().loss()[0] : resumedLoss;
        }

        private void completed(Trainer trainer, double secs, double lastLoss) {
            EvalSummary eval = evaluate(trainer);
            TrainedModel model = keepModel ? new TrainedModel(trainer.model(), 0, trainer.device()) : null;
            RunResult r = new RunResult(config, runDir, RunStatus.COMPLETED, trainer.stepsDone() - startStep, secs, lastLoss,
                    eval, model, null);
            try {
                // every output first, the summary that says "completed" last: a run whose outputs
                // failed to write never claims to be complete
                Map<String, Object> evalLine = new LinkedHashMap<>();   // a fixed key order (Map.of's varies by JVM)
                evalLine.put("n", eval.n());
                evalLine.put("mean_pair_cosine", eval.meanPairCosine());
                evalLine.put("centroid_gap", eval.centroidGap());
                evalLine.put("eval_loss", eval.evalLoss());
                metrics.append("eval", trainer.stepsDone(), evalLine);
                lossFigure();
                writeSummary(r, trainer);
            } catch (RuntimeException e) {
                r.close();
                outputsFailed(trainer, secs, lastLoss, e);
                throw e;
            }
            result = r;
            LOG.info("done: {} steps in {} s ({} steps/s), final loss {}, mean pair cosine {}, centroid gap {}",
                    r.steps(), String.format("%.2f", secs), String.format("%.0f", r.stepsPerSecond()),
                    String.format("%.4f", lastLoss), String.format("%.4f", eval.meanPairCosine()),
                    String.format("%.4f", eval.centroidGap()));
        }
    }

    /** The fewest loss points a run logs when {@code schedule.log_every} is too coarse for its length. */
    public static final int MIN_LOG_POINTS = 20;

    /**
     * Steps between metric lines: {@code schedule.log_every}, or for a run too short to get
     * {@link #MIN_LOG_POINTS} lines from it, the largest divisor of it that does (so
     * {@code measure_every}, a multiple of log_every, still falls on a logged step).
     *
     * @param c the run config
     * @return the interval, between 1 and {@code schedule.log_every}
     */
    public static int logInterval(RunConfig c) {
        int every = c.schedule().logEvery();
        for (int d = every; d > 1; d--) {
            if (every % d == 0 && c.steps() / d >= MIN_LOG_POINTS) {
                return d;
            }
        }
        return 1;
    }

    /** Best effort: a summary saying the outputs failed (the disk may refuse this too). */
    private void outputsFailed(Trainer trainer, double secs, double lastLoss, RuntimeException cause) {
        LOG.error("writing the run's outputs failed: {}", cause.getMessage());
        try {
            writeSummary(new RunResult(config, runDir, RunStatus.COMPLETED, trainer.stepsDone(), secs, lastLoss, null, null,
                    "writing outputs failed: " + cause.getMessage()), trainer, "outputs_failed");
        } catch (RuntimeException again) {
            cause.addSuppressed(again);
        }
    }

    /** @return the loss of the last "train" line at or before {@code step} in metrics.jsonl, or NaN */
    private double lastLoggedLoss(long step) {
        double loss = Double.NaN;
        Path file = runDir.resolve("metrics.jsonl");
        if (Files.exists(file)) {
            for (JsonNode line : MetricsLog.read(file)) {
                if ("train".equals(line.path("kind").asText()) && line.path("step").asLong() <= step) {
                    loss = line.path("loss").asDouble(Double.NaN);
                }
            }
        }
        return loss;
    }

    private static Map<String, Object> trainLine(IntervalMetrics im) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("loss", im.loss()[0]);
        im.lossParts().forEach((name, mean) -> line.put("loss_" + name, mean[0]));   // only for a loss with parts
        line.put("grad_norm", im.gradNorm()[0]);
        line.put("logit_scale", im.logitScale()[0]);
        line.put("lr_factor", im.lrFactor());
        line.put("steps_averaged", im.steps());
        return line;
    }

    private static final String NON_FINITE = "parameters or loss became NaN/infinite";

    /** Writes a checkpoint when the state is finite; @return false when it is not (none written). */
    private boolean checkpoint(TrainingLoop loop) {
        Trainer trainer = loop.trainer();
        if (!trainer.allFinite()) {
            return false;
        }
        Path file = runDir.resolve(Checkpoint.FILE_NAME);
        Checkpoint.write(trainer, file);
        LOG.debug("checkpoint at step {}", trainer.stepsDone());
        loop.checkpointWritten(file);
        return true;
    }

    private EvalSummary evaluate(Trainer trainer) {
        return Evaluation.evaluate(trainer.model(), trainer.source(0), config, trainer.rootManager());
    }

    /** Writes config, model and provenance (with the gradient route, and why) into the (locked) run directory. */
    private void prepareDirectory(DeviceChoice device, GradientPlan gradient) {
        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("schema_version", RunConfig.SCHEMA_VERSION);
        cfg.setAll(ConfigLoader.toTree(config));
        Json.write(runDir.resolve("config.json"), cfg);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("schema_version", RunConfig.SCHEMA_VERSION);
        model.put("model", config.model());
        model.put("parameters_per_run", config.model().tower1().parameterCount() + config.model().tower2().parameterCount()
                + (config.model().temperature().learnable() ? 1 : 0));
        Json.write(runDir.resolve("model.json"), model);
        Map<String, Object> prov = Provenance.collect(device, config.seed(), commandLine);
        prov.put("gradient", gradient.toMap());
        if (resume) {
            prov.put("resumed", true);
            Json.write(runDir.resolve("provenance-resume-" + System.currentTimeMillis() + ".json"), prov);
        } else {
            Json.write(runDir.resolve("provenance.json"), prov);
        }
    }

    private void requireSameRun(Checkpoint ckpt) {
        RunConfig saved = ckpt.configs().get(0);
        if (ckpt.configs().size() != 1 || saved.seed() != config.seed()
                || !StepBlocks.structureKey(saved.withSteps(config.steps())).equals(StepBlocks.structureKey(config))
                || !ConfigLoader.toTree(saved).get("data").equals(ConfigLoader.toTree(config).get("data"))) {
            throw new ConfigException("--resume " + runDir + ": the checkpoint belongs to a different config; only steps may change on resume");
        }
        if (ckpt.counters().step() > config.steps()) {
            throw new ConfigException("--resume " + runDir + ": checkpoint is at step " + ckpt.counters().step()
                    + ", beyond steps = " + config.steps());
        }
    }

    private void writeSummary(RunResult r, Trainer trainer) {
        writeSummary(r, trainer, r.status().name().toLowerCase(java.util.Locale.ROOT));
    }

    private void writeSummary(RunResult r, Trainer trainer, String status) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("schema_version", 1);
        s.put("name", config.name());
        s.put("status", status);
        if (r.reason() != null) {
            s.put("reason", r.reason());
        }
        s.put("steps_total", trainer.stepsDone());
        s.put("steps_this_process", r.steps());
        s.put("seconds", r.seconds());
        s.put("steps_per_second", r.stepsPerSecond());
        s.put("final_loss", r.finalLoss());
        s.put("final_loss_window_steps", logInterval(config));   // final_loss: mean training loss of these last steps
        s.put("device", trainer.device().toString());
        s.put("gradient", trainer.gradientPlan().toMap());
        s.put("eval", r.eval());
        Json.write(runDir.resolve("summary.json"), s);
    }

    private void lossFigure() {
        List<Double> steps = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (JsonNode line : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
            if ("train".equals(line.path("kind").asText())) {
                steps.add(line.path("step").asDouble());
                losses.add(line.path("loss").asDouble());
            }
        }
        if (steps.size() < 2) {
            return;
        }
        // every logged interval is one point: the mean loss over that interval's steps
        var chart = Figures.lineChart("Training loss: " + config.name(), "step",
                "L_B, mean over each " + logInterval(config) + " steps");
        double[] x = steps.stream().mapToDouble(Double::doubleValue).toArray();
        Figures.addLine(chart, config.loss().kind().name().toLowerCase(java.util.Locale.ROOT), x,
                losses.stream().mapToDouble(Double::doubleValue).toArray(), null);
        if (config.loss().kind() != org.gaplab.engine.config.LossConfig.Kind.SIGMOID) {
            double lnB = Math.log(config.batchSize());
            var chance = Figures.addLine(chart, "ln B (an uninformative encoder)", new double[] {x[0], x[x.length - 1]},
                    new double[] {lnB, lnB}, null);
            chance.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
            chance.setLineStyle(Figures.DASHED);
            chance.setLineColor(java.awt.Color.GRAY);
        }
        Figures.save(chart, runDir.resolve("loss"));
    }

    /** Builder: {@code set*} for required values, {@code opt*} for optional ones. */
    public static final class Builder {
        private RunConfig config;
        private Path outputDir;
        private Path resume;
        private List<String> overrides = List.of();
        private DeviceRequest device = DeviceRequest.parse("auto");
        private final List<TrainingListener> listeners = new ArrayList<>();
        private StopSignal stop;
        private List<String> commandLine = List.of();
        private boolean keepModel = true;
        private Long memoryBudget;
        private boolean force;

        /**
         * @param on write a fresh run into a directory that holds files gaplab did not write (default
         *     false: refused, see {@link OutputDirectory})
         */
        public Builder optForce(boolean on) {
            this.force = on;
            return this;
        }

        /** @param c the run config (required unless resuming) */
        public Builder setConfig(RunConfig c) {
            this.config = c;
            return this;
        }

        /** @param dir the run directory (default {@code runs/<name>-<timestamp>}) */
        public Builder optOutputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /**
         * Resume the run in {@code dir} from its checkpoint.
         *
         * @param dir an existing run directory
         * @param configOverrides {@code key=value} changes (only {@code steps} may change)
         */
        public Builder optResume(Path dir, List<String> configOverrides) {
            this.resume = dir;
            this.overrides = configOverrides == null ? List.of() : List.copyOf(configOverrides);
            return this;
        }

        /** @param d the device request (default auto) */
        public Builder optDevice(DeviceRequest d) {
            this.device = d;
            return this;
        }

        /** @param l an observer */
        public Builder optListener(TrainingListener l) {
            this.listeners.add(l);
            return this;
        }

        /** @param s a stop flag (the CLI installs signal handlers; tests request stops directly) */
        public Builder optStopSignal(StopSignal s) {
            this.stop = s;
            return this;
        }

        /** @param args the command line, recorded in provenance */
        public Builder optCommandLine(List<String> args) {
            this.commandLine = List.copyOf(args);
            return this;
        }

        /** @param keep whether the result carries the trained model (default true) */
        public Builder optKeepModel(boolean keep) {
            this.keepModel = keep;
            return this;
        }

        /**
         * @param bytes the memory budget the run's estimated peak must fit (default: a share of the
         *     device's memory, see {@link MemoryAdmission#budget})
         */
        public Builder optMemoryBudget(Long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        /** @return the run, validated */
        public TrainingRun build() {
            if (config == null && resume == null) {
                throw new IllegalStateException("setConfig is required unless resuming");
            }
            for (Path p : new Path[] {outputDir, resume}) {
                if (p != null && p.toString().isBlank()) {
                    throw new ConfigException("the run directory must be a path, got '' (it would write into the current directory)");
                }
            }
            return new TrainingRun(this);
        }
    }
}
