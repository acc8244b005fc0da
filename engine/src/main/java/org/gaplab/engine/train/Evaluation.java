package org.gaplab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.models.DualEncoder;

/** The end-of-run evaluation shared by single runs and sweeps. */
public final class Evaluation {
    private Evaluation() {}

    /**
     * The evaluation embeddings of a run: its fixed evaluation set, drawn from the run's own
     * {@code (seed, "eval")} stream ({@link RunConfig#eval()} pairs, the held-out split of a finite
     * dataset), embedded by each tower.
     *
     * @param model a one-run model
     * @param source the run's source
     * @param config the run's config
     * @param scope where the set and the embeddings live
     * @return modality 1's and modality 2's embeddings, {@code [n, d]} each
     */
    public static NDList embeddings(DualEncoder model, PairedSource source, RunConfig config, NDManager scope) {
        return GapMeasurer.embedEvaluation(model, source, Seeds.derive(config.seed(), "eval", 0), config.eval().size(), scope);
    }

    /**
     * Embeds a run's fixed evaluation set (its own {@code (seed, "eval")} stream) and summarises it.
     *
     * @param model a one-run model
     * @param source the run's source
     * @param config the run's config
     * @param manager scope for temporaries (closed by the caller)
     * @return the summary
     */
    public static EvalSummary evaluate(DualEncoder model, PairedSource source, RunConfig config, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDList z = embeddings(model, source, config, scope);
            NDArray z1 = z.get(0);
            NDArray z2 = z.get(1);
            long b = Math.min(config.batchSize(), z1.getShape().get(0));
            NDIndex head = new NDIndex("0:{}", b);
            model.tempAttach(scope);
            double loss = config.loss().build()
                    .perRun(z1.get(head).expandDims(0), z2.get(head).expandDims(0), model.logitScale())
                    .toType(DataType.FLOAT64, false).getDouble(0);
            return EvalSummary.of(z1, z2, loss);
        }
    }
}
