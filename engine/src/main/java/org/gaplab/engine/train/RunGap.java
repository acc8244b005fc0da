package org.gaplab.engine.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.gaplab.core.Seeds;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.models.DualEncoder;

/**
 * The gap of one trained run, measured on its own evaluation set: the one code path behind
 * {@code gaplab measure --run} and {@code gaplab sweep --measure}, so a sweep's per-run report is
 * the report {@code measure --run DIR --run-index I} gives for the same run and options.
 */
public final class RunGap {
    private RunGap() {}

    /**
     * Embeds a run's evaluation set (the run's own "eval" seed stream and data settings, as
     * training used them) with both towers.
     *
     * @param model the model (K stacked runs)
     * @param run which run of the stack
     * @param config that run's own config
     * @param n evaluation pairs
     * @param manager owner of the result
     * @return {@code [z1, z2]}
     */
    public static NDList embed(DualEncoder model, int run, RunConfig config, int n, NDManager manager) {
        long evalSeed = Seeds.derive(config.seed(), "eval", 0);
        return GapMeasurer.embed(model, run, config.data().build(), evalSeed, n, manager);
    }

    /**
     * Measures the embedded evaluation set at the run's own (learned) temperature, unless the
     * options give one.
     *
     * @param z {@code [z1, z2]} from {@link #embed}
     * @param runTau the run's temperature ({@link GapMeasurer#tau})
     * @param options how to measure
     * @param optionTauSource what the options' tau came from ("option", "logit-scale"), when they carry one
     * @param label the run, for the report's input (directory, or sweep and point)
     * @param step steps the run trained
     * @return the report
     */
    public static GapReport measure(NDList z, double runTau, MeasureOptions options, String optionTauSource, String label, long step) {
        double t = options.hasTau() ? options.tau() : runTau;
        return new GapMeasurer(options).measure(z.get(0), z.get(1), null, new GapMeasurer.Source("run",
                label + " tower1 (step " + step + ")", label + " tower2", "by index"), t,
                options.hasTau() ? optionTauSource : "model");
    }
}
