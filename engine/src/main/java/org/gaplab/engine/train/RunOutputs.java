package org.gaplab.engine.train;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.MetricsLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outputs of one run at its end, and its {@link RunResult}. For a completed run: the
 * evaluation, its "eval" line in {@code metrics.jsonl}, the loss figure ({@code loss.png/.svg})
 * and {@code summary.json}, written in that order so that a run whose outputs failed to write
 * never claims to be complete. For a diverged or interrupted run: the summary saying so.
 *
 * <p>It must come first among a run's listeners ({@link TrainingListeners} puts it there), so that
 * the others' {@code onEnd} see the result.
 */
public final class RunOutputs implements TrainingListener {
    // the run's log lines keep the logger name they have always had in train.log
    private static final Logger LOG = LogManager.getLogger(TrainingRun.class);

    private final RunConfig config;
    private final Path runDir;
    private final MetricsLog metrics;
    private final long startStep;
    private final double resumedLoss;
    private final boolean keepModel;
    private final StopSignal stop;
    private RunResult result;

    /**
     * @param config the run's config
     * @param runDir its directory
     * @param metrics its open metrics log
     * @param startStep the step the loop starts from (non-zero on resume)
     * @param resumedLoss the last logged loss before a resume (the final loss of a run resumed at its
     *     last step, which trains nothing), else NaN
     * @param keepModel whether the result carries the trained model
     * @param stop the run's stop signal (named in the log of an interrupted run)
     */
    public RunOutputs(RunConfig config, Path runDir, MetricsLog metrics, long startStep, double resumedLoss, boolean keepModel,
            StopSignal stop) {
        this.config = config;
        this.runDir = runDir;
        this.metrics = metrics;
        this.startStep = startStep;
        this.resumedLoss = resumedLoss;
        this.keepModel = keepModel;
        this.stop = stop;
    }

    /** @return the result once the loop has ended, else null */
    public RunResult result() {
        return result;
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
        EvalSummary eval = Evaluation.evaluate(trainer.model(), trainer.source(0), config, trainer.rootManager());
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
        s.put("final_loss_window_steps", TrainingRun.logInterval(config));   // final_loss: mean training loss of these last steps
        s.put("device", trainer.device().toString());
        s.put("gradient", trainer.gradientPlan().toMap());
        s.put("eval", r.eval());
        Json.write(runDir.resolve("summary.json"), s);
    }

    /** The loss curve: every logged interval is one point, the mean loss over that interval's steps. */
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
        var chart = Figures.lineChart("Training loss: " + config.name(), "step",
                "L_B, mean over each " + TrainingRun.logInterval(config) + " steps");
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
}
