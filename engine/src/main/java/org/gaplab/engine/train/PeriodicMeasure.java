package org.gaplab.engine.train;

import ai.djl.ndarray.NDManager;

import org.gaplab.core.Seeds;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.step.IntervalMetrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the gap during training: every {@code schedule.measure_every} steps, run 0's evaluation
 * set (at most {@link #MAX_PAIRS} pairs) is embedded and a light {@link GapMeasurer} report (one
 * subsample, no shuffle control, no permutation tests) is appended to {@code metrics.jsonl} as a
 * "measure" line with each estimate's value. The full report with uncertainty is
 * {@code gaplab measure}'s job.
 */
public final class PeriodicMeasure implements TrainingListener {
    /** Largest evaluation subset measured during training. */
    public static final int MAX_PAIRS = 2000;

    @Override
    public void onInterval(TrainingRun run, Trainer trainer, IntervalMetrics metrics) {
        int every = run.config().schedule().measureEvery();
        if (every <= 0 || metrics.step() % every != 0) {
            return;
        }
        int n = Math.min(MAX_PAIRS, run.config().eval().size());
        MeasureOptions options = MeasureOptions.defaults().withSubsamples(1).withSubsampleSize(n).withShuffleControl(false)
                .withPermutations(0);
        GapReport report;
        try (NDManager scope = trainer.rootManager().newSubManager()) {
            report = new GapMeasurer(options).measure(trainer.model(), 0, trainer.source(0),
                    Seeds.derive(run.config().seed(), "eval", 0), n, new GapMeasurer.Source("run", "tower1", "tower2", null));
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("n", n);
        for (GapReport.Estimate e : report.estimates()) {
            line.put(e.name(), e.mean() != null ? e.mean() : e.full());
        }
        run.metrics().append("measure", metrics.step(), line);
    }
}
