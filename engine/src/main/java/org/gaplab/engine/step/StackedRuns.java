package org.gaplab.engine.step;

import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.RunConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * What differs between the K runs of one stack, in stack order: each run's tower seeds
 * {@code (seed_k, "init.towerN")}, temperature, learning rate and data source.
 *
 * @param runs the runs
 * @param initSeeds1 tower 1's initialisation seed per run
 * @param initSeeds2 tower 2's initialisation seed per run
 * @param tau temperature per run
 * @param lr learning rate per run
 * @param sources each run's data source, checked against the model's input dimensions
 */
public record StackedRuns(List<RunConfig> runs, long[] initSeeds1, long[] initSeeds2, double[] tau, double[] lr,
        List<PairedSource> sources) {

    /**
     * @param runs runs that share one structure ({@code StepBlocks.requireStackable})
     * @return their per-run values
     * @throws ConfigException when a run's data does not match its towers' input dimensions
     */
    public static StackedRuns of(List<RunConfig> runs) {
        int k = runs.size();
        long[] s1 = new long[k];
        long[] s2 = new long[k];
        double[] tau = new double[k];
        double[] lr = new double[k];
        List<PairedSource> sources = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            RunConfig c = runs.get(i);
            s1[i] = Seeds.derive(c.seed(), "init.tower1", 0);
            s2[i] = Seeds.derive(c.seed(), "init.tower2", 0);
            tau[i] = c.model().temperature().tau();
            lr[i] = c.optim().lr();
            PairedSource src = c.data().build();
            checkDims(c, src);
            sources.add(src);
        }
        return new StackedRuns(List.copyOf(runs), s1, s2, tau, lr, List.copyOf(sources));
    }

    /**
     * @param dataType the training precision
     * @return each run's training pairs from its own source, block b from {@code (seed_k, "data", b)}
     */
    public DataBlocks seededData(DataType dataType) {
        return (m, run, block, rows) -> sources.get(run).sampleTrain(m, Seeds.derive(runs.get(run).seed(), "data", block),
                rows, dataType);
    }

    private static void checkDims(RunConfig c, PairedSource src) {
        if (src.dimX() != c.model().tower1().inputDim() || src.dimY() != c.model().tower2().inputDim()) {
            throw new ConfigException("model.tower1.input_dim/tower2.input_dim (" + c.model().tower1().inputDim()
                    + ", " + c.model().tower2().inputDim() + ") do not match the data's feature dimensions ("
                    + src.dimX() + ", " + src.dimY() + ")");
        }
    }
}
