package org.gaplab.engine.experiment;

import ai.djl.ndarray.NDManager;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.sweep.Sweeps;
import org.gaplab.models.DualEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-run statistics of the data studies, measured by {@link GapMeasurer} on a run's own
 * evaluation set (its {@code (seed, "eval")} stream; the held-out split of a finite dataset) with
 * one repeat, no shuffle control and no permutation test, under the measurement layer's sampling
 * rule: retrieval R@1/R@5 both ways over the whole evaluation set; the centroid gap and both
 * centroid norms; energy distance, MMD^2 (unbiased, RBF at 1x the median cross distance) and the
 * k-NN Jeffreys divergence (k = 5) on two independent samples of at most {@link #SUBSAMPLE} points
 * from disjoint halves of the pairs; and both Wang-Isola uniformities (with the centroid norms, the
 * spread that tells a closed gap from a collapse); and the whole-set measures that cost O(n d^2) or less:
 * the paired distance L2I, the relative modality gap RMG, the pooled effective rank and the cone
 * effect of each modality (linear separability is left out: it trains a classifier per run).
 */
public final class EvalGeometry implements Sweeps.RunMeasure {
    /** Most evaluation pairs measured per run. */
    public static final int SUBSAMPLE = 2000;
    /** The statistics added to each row, as the measurement layer names them. */
    public static final List<String> NAMES = List.of("r1_1to2", "r1_2to1", "r5_1to2", "r5_2to1", "centroid_gap",
            "energy_distance", "mmd2_rbf_1x", "knn_jeffreys", "centroid_norm_1", "centroid_norm_2", "wang_isola_uniformity_1",
            "wang_isola_uniformity_2", "l2i", "rmg", "effective_rank_pooled", "cone_cosine_mean_1", "cone_cosine_mean_2");

    /** @return the metric columns of a data study's run table: training loss, pair cosine, then {@code eval_<NAME>} */
    public static List<String> rowMetrics() {
        List<String> out = new ArrayList<>(List.of("final_loss", "mean_pair_cosine"));
        NAMES.forEach(n -> out.add("eval_" + n));
        return out;
    }

    private final GapMeasurer measurer = new GapMeasurer(MeasureOptions.defaults().withSubsamples(1)
            .withSubsampleSize(SUBSAMPLE).withShuffleControl(false).withPermutations(0).withBatchSizes().withSeparabilityFolds(0));

    @Override
    public Map<String, Double> measure(DualEncoder model, PairedSource source, RunConfig config, NDManager scope) {
        GapReport r = measurer.measure(model, 0, source, Seeds.derive(config.seed(), "eval", 0), config.eval().size(),
                new GapMeasurer.Source("run", "tower1", "tower2", "by index"));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String name : NAMES) {
            GapReport.Estimate e = r.estimate(name);
            out.put("eval_" + name, e.mean() != null ? e.mean() : e.full());
        }
        return out;
    }
}
