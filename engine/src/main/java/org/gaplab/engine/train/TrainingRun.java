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
 * <p>The steps are {@link TrainingLoop}'s; the listeners are {@link TrainingListeners#defaults}
 * (divergence check, metrics lines, progress, checkpoints) with the run's {@link RunOutputs}
 * (evaluation, figure, summary), the caller's listeners, {@link PeriodicMeasure} and the stop signal.
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
    private RunOutputs outputs;

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
        outputs = new RunOutputs(config, runDir, metrics, startStep, resumedLoss, keepModel, stop);
        try (Progress progress = Progress.start(config.name(), config.steps())) {
            progress.update(startStep, null);
            TrainingLoop.run(this, trainer, logEvery, TrainingListeners.defaults(runDir, config.schedule().checkpointEvery(), metrics, progress)
                    .optOutputs(outputs).optListeners(listeners).optStop(stop).build());
        }
        return outputs.result();
    }

    /** @return the result of the finished run; null while it runs (read by listeners' onEnd) */
    RunResult result() {
        return outputs == null ? null : outputs.result();
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
        Provenance prov = Provenance.of(device, config.seed(), commandLine).withGradient(gradient.toMap()).withResumed(resume);
        prov.write(runDir.resolve(resume ? "provenance-resume-" + System.currentTimeMillis() + ".json" : "provenance.json"));
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
