package org.gaplab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.engine.step.IntervalMetrics;

import java.util.Locale;

/**
 * Decides at each log interval whether a run has diverged or collapsed, so that it stops with
 * status DIVERGED (exit code 3) instead of training on and reporting "completed". A run fails
 * when, for any of its stacked runs:
 *
 * <ul>
 *   <li>the interval's mean loss, gradient norm or logit scale is NaN or infinite;</li>
 *   <li>a parameter is NaN or infinite;</li>
 *   <li>the gradient norm was exactly 0 at every step of the interval (nothing can train);</li>
 *   <li>the embeddings collapsed: a probe of {@value #PROBE_ROWS} evaluation rows embeds to
 *       vectors of norm below {@value #COLLAPSED_NORM} (any row on the sphere, where every
 *       embedding has norm 1 and overflowing weights make {@code z / ||z||} exactly 0; every row
 *       for tanh or raw outputs).</li>
 * </ul>
 *
 * The checks run where the loop already syncs with the host (metric drains), one small probe
 * batch each time.
 */
public final class DivergenceCheck {
    /** Evaluation rows embedded to test for collapse. */
    static final int PROBE_ROWS = 64;
    /** An embedding shorter than this has collapsed (unit-sphere outputs have norm 1). */
    static final double COLLAPSED_NORM = 1e-3;

    private DivergenceCheck() {}

    /**
     * The check as a listener for one run (or a stack that stands or falls together): the first
     * failing run ends the loop as diverged, before any later listener sees the interval.
     *
     * @return the listener (its loop must step a {@link Trainer})
     */
    public static TrainingListener stopOnFirst() {
        return TrainingListener.atIntervals((loop, im) -> {
            String failure = reason(loop.trainer(), im);
            if (failure != null) {
                loop.diverged(failure, im);
            }
        });
    }

    /**
     * The check as a listener for stacked runs that go on when one of them fails (sweeps): it
     * records which runs diverged or collapsed and lets the loop continue.
     */
    public static final class PerRun implements TrainingListener {
        private final boolean[] diverged;

        /** @param runs K, the number of stacked runs */
        public PerRun(int runs) {
            this.diverged = new boolean[runs];
        }

        @Override
        public void onInterval(TrainingLoop loop, IntervalMetrics im) {
            String[] why = reasons(loop.trainer(), im);
            for (int r = 0; r < diverged.length; r++) {
                diverged[r] |= why[r] != null;
            }
        }

        /** @return K, the number of stacked runs watched */
        public int runs() {
            return diverged.length;
        }

        /** @return whether run r diverged or collapsed at any interval so far */
        public boolean diverged(int r) {
            return diverged[r];
        }
    }

    /**
     * @param trainer the trainer after a drain
     * @param im the drained interval
     * @return why the first failing run must stop, or null when every run is healthy
     */
    public static String reason(Trainer trainer, IntervalMetrics im) {
        for (String r : reasons(trainer, im)) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /**
     * The same checks run by run, for stacked runs (sweeps) where one run's collapse must not stop
     * the others.
     *
     * @param trainer the trainer after a drain
     * @param im the drained interval
     * @return per run, why it diverged or collapsed, or null when it is healthy
     */
    public static String[] reasons(Trainer trainer, IntervalMetrics im) {
        int runs = trainer.runs().size();
        String[] why = new String[runs];
        for (int k : im.nonFiniteRuns()) {
            why[k] = String.format(Locale.ROOT, "loss %s, gradient norm %s (NaN/infinite)", im.loss()[k], im.gradNorm()[k]);
        }
        long[] nonFinite = nonFiniteParameters(trainer);
        for (int k = 0; k < runs; k++) {
            if (why[k] == null && nonFinite[k] > 0) {
                why[k] = "parameters became NaN/infinite";
            }
            if (why[k] == null && im.steps() > 0 && im.gradNorm()[k] == 0) {
                why[k] = "collapse: the gradient was exactly zero at every one of the last " + im.steps()
                        + " steps (nothing can train; the learning rate or the data may be degenerate)";
            }
        }
        collapsedEmbeddings(trainer, why);
        return why;
    }

    /** @return per run, the number of NaN/infinite parameter entries (one host sync) */
    static long[] nonFiniteParameters(Trainer trainer) {
        int runs = trainer.runs().size();
        try (NDManager scope = trainer.rootManager().newSubManager()) {
            trainer.model().tempAttach(scope);
            NDArray count = scope.zeros(new ai.djl.ndarray.types.Shape(runs), DataType.INT64);
            for (NDArray p : trainer.model().parameters().asList()) {
                count = count.add(p.isNaN().logicalOr(p.isInfinite()).reshape(runs, -1).toType(DataType.INT64, false)
                        .sum(new int[] {1}));
            }
            return count.toLongArray();
        }
    }

    /** Fills {@code why[k]} for healthy runs whose probe batch embeds to (near) zero vectors. */
    static void collapsedEmbeddings(Trainer trainer, String[] why) {
        var config = trainer.runs().get(0);
        try (NDManager scope = trainer.rootManager().newSubManager()) {
            DataType dt = config.precision().dataType();
            // run 0's evaluation rows probe every run of the stack (they share input dimensions)
            NDList probe = trainer.source(0).evaluationSet(scope, Seeds.derive(config.seed(), "eval", 0), PROBE_ROWS, dt);
            trainer.model().tempAttach(scope);
            int runs = trainer.runs().size();
            NDArray x = probe.get(0).expandDims(0).repeat(0, runs);
            NDArray y = probe.get(1).expandDims(0).repeat(0, runs);
            String[] towers = {"tower 1", "tower 2"};
            NDArray[] z = {trainer.model().embed1(x), trainer.model().embed2(y)};
            boolean[] sphere = {config.model().tower1().output().onSphere(), config.model().tower2().output().onSphere()};
            for (int t = 0; t < 2; t++) {
                // one host sync per tower: on the sphere the smallest norm of each run (every row must
                // have norm 1), otherwise the largest (collapse is every row at 0)
                NDArray norms = z[t].norm(new int[] {2}).toType(DataType.FLOAT64, false);
                double[] norm = (sphere[t] ? norms.min(new int[] {1}) : norms.max(new int[] {1})).toDoubleArray();
                for (int k = 0; k < runs; k++) {
                    if (why[k] == null && !(norm[k] >= COLLAPSED_NORM)) {
                        why[k] = String.format(Locale.ROOT, "collapse: %s embeds evaluation rows to vectors of norm %.3g"
                                + " (the weights overflowed or vanished)", towers[t], norm[k]);
                    }
                }
            }
        }
    }
}
