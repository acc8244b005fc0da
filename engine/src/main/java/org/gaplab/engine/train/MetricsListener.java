package org.gaplab.engine.train;

import org.gaplab.engine.report.MetricsLog;
import org.gaplab.engine.step.IntervalMetrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends a "train" line to {@code metrics.jsonl} at every metrics drain: run 0's mean loss,
 * gradient norm and logit scale over the interval, the learning-rate factor and the number of
 * steps averaged.
 */
public final class MetricsListener implements TrainingListener {
    private final MetricsLog log;

    /** @param log where the lines go (open for as long as the loop runs) */
    public MetricsListener(MetricsLog log) {
        this.log = log;
    }

    @Override
    public void onInterval(TrainingLoop loop, IntervalMetrics metrics) {
        log.append("train", metrics.step(), trainLine(metrics));
    }

    /**
     * @param im a drained interval
     * @return the fields of its "train" line, in their fixed order
     */
    public static Map<String, Object> trainLine(IntervalMetrics im) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("loss", im.loss()[0]);
        im.lossParts().forEach((name, mean) -> line.put("loss_" + name, mean[0]));   // only for a loss with parts
        line.put("grad_norm", im.gradNorm()[0]);
        line.put("logit_scale", im.logitScale()[0]);
        line.put("lr_factor", im.lrFactor());
        line.put("steps_averaged", im.steps());
        return line;
    }
}
