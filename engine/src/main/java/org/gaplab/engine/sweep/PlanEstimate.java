package org.gaplab.engine.sweep;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.train.Evaluation;
import org.gaplab.engine.train.Trainer;
import org.gaplab.engine.train.TrainingLoop;
import org.gaplab.models.DualEncoder;

import java.util.List;

/**
 * How long a shard of a sweep will take, from a short timed run of its first chunk on this
 * machine: a few stacked steps, and the evaluation (and extra statistics) of one run.
 *
 * @param points points in the shard
 * @param chunks chunks in the shard
 * @param stepsPerRun training steps of each run
 * @param secondsPerChunkStep measured seconds of one stacked step of a full chunk
 * @param secondsPerRunEval measured seconds to evaluate one run after training
 * @param calibrationSteps steps timed
 */
public record PlanEstimate(int points, int chunks, long stepsPerRun, double secondsPerChunkStep,
        double secondsPerRunEval, int calibrationSteps) {
    /** Steps timed (after as many warm-up steps) when the runs are longer than that. */
    public static final int CALIBRATION_STEPS = 20;

    /** @return the estimated wall time of the shard, in seconds */
    public double seconds() {
        return chunks * stepsPerRun * secondsPerChunkStep + points * secondsPerRunEval;
    }

    /**
     * Times the shard's first chunk.
     *
     * @param plan the plan
     * @param shard the shard
     * @param device where it will run
     * @param measure the per-run statistics the sweep will add, or null
     * @return the estimate
     */
    public static PlanEstimate measure(SweepPlan plan, Shard shard, Device device, Sweeps.RunMeasure measure) {
        org.gaplab.engine.device.NativeThreadPolicy.apply();
        List<Integer> mine = plan.chunksOf(shard);
        if (mine.isEmpty()) {
            return new PlanEstimate(0, 0, 0, 0, 0, 0);
        }
        List<RunConfig> configs = plan.chunks().get(mine.get(0)).stream().map(i -> plan.points().get(i).config()).toList();
        long steps = configs.get(0).steps();
        int timed = (int) Math.min(CALIBRATION_STEPS, Math.max(1, steps / 2));
        try (Trainer t = new Trainer(configs, device)) {
            // warm-up: first calls allocate and pick kernels
            TrainingLoop.run(t, timed, timed, List.of());
            // the loop drains at its last step, a host sync, so the timed steps have finished
            double perStep = TrainingLoop.run(t, 2L * timed, timed, List.of()).seconds() / timed;
            double perEval = 0;
            for (int pass = 0; pass < 2; pass++) { // the second pass is timed: the first warms up
                long e0 = System.nanoTime();
                try (NDManager scope = t.rootManager().newSubManager()) {
                    DualEncoder one = t.model().selectRun(pass % configs.size(), scope);
                    Evaluation.evaluate(one, t.source(0), configs.get(0), scope);
                    if (measure != null) {
                        measure.measure(one, t.source(0), configs.get(0), scope);
                    }
                }
                perEval = (System.nanoTime() - e0) / 1e9;
            }
            return new PlanEstimate(plan.pointsOf(shard).size(), mine.size(), steps, perStep, perEval, timed);
        }
    }
}
