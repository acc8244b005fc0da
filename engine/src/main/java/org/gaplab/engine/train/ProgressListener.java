package org.gaplab.engine.train;

import org.gaplab.engine.report.Progress;

import java.util.function.LongConsumer;

/** Reports progress at every metrics drain; two forms, one for a single run and one for stacked runs. */
public final class ProgressListener {
    private ProgressListener() {}

    /**
     * @param progress the progress line of one run
     * @return a listener that shows the step reached and run 0's interval loss
     */
    public static TrainingListener withLoss(Progress progress) {
        return TrainingListener.atIntervals((loop, im) -> progress.update(im.step(), String.format("loss %.4f", im.loss()[0])));
    }

    /**
     * @param runs K, the number of stacked runs
     * @param runSteps receives the run-steps done since the last drain (steps times K)
     * @return a listener for a stack of runs
     */
    public static TrainingListener runSteps(int runs, LongConsumer runSteps) {
        long[] reported = {0};
        return TrainingListener.atIntervals((loop, m) -> {
            runSteps.accept((m.step() - reported[0]) * runs);
            reported[0] = m.step();
        });
    }
}
