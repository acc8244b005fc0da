package org.gaplab.engine.experiment.gradconsistency;

import static org.gaplab.engine.experiment.gradconsistency.GradConsistency.curves;
import static org.gaplab.engine.experiment.gradconsistency.GradConsistencyReport.write;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.Reproduction;
import org.gaplab.engine.experiment.gradconsistency.GradConsistency.Curve;
import org.gaplab.engine.experiment.gradconsistency.GradConsistency.GradConsistencyResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code gaplab reproduce grad-consistency}: one unit, since the seeds are one stacked computation. */
public final class GradConsistencyExperiment extends Reproduction<GradConsistencyConfig> {
    /** Declares grad-consistency. */
    public GradConsistencyExperiment() {
        super("grad-consistency", GradConsistencyConfig.class, GradConsistencyConfig::paperDefault, GradConsistencyConfig::quick,
                GradConsistencyConfig::withSeeds, stepsDoNotApply("--steps does not apply to grad-consistency: gradients are taken at initialisation"));
    }

    @Override
    public List<String> description() {
        return List.of("Large-batch consistency of unimodal InfoNCE (docs/theory.md sections 3 and 7).",
            "",
            "A linear encoder W (128x64, N(0, 1/64)) at initialisation, 64 anchors from a 4-component",
            "Gaussian mixture in R^64 (means of norm 4, sd 1), and one pool of max N + N_ref negatives drawn,",
            "as in the authors' script that made the paper's figure, from a second mixture with fresh means",
            "(--negatives same-mixture: from the anchors' own mixture, the law the theory assumes).",
            "The gradient of InfoNCE with the first N negatives, N = 4, 8, ..., 1024, is compared with the",
            "gradient with the N_ref = 4096 other negatives of the pool (disjoint from every prefix):",
            "cos(g_N, g_ref) and ||g_N - g_ref|| / ||g_ref||, mean +- std over 20 seeds, for",
            "the cosine critic on the sphere (tau 0.1, positive noise 0.05) and the RBF critic",
            "-||z - w||^2 / 128 on tanh embeddings (tau 1, noise 0.2), plus the fitted log-log slope of the",
            "relative error. Paper's claims: both improve with N (monotonically, in the paper: not tested);",
            "cosine > 0.95 for N >= 512;",
            "each judged by one-sided tests over the seeds (docs/theory.md, Verdicts).",
            "",
            "Runtime on CPU with 2 threads: about 30 s (--quick: about 3 s). --steps does not apply.",
            "One work unit (the seeds are one stacked computation): --shard gives it to shard 0.",
            "Outputs: grad_consistency.json/.csv, grad_cosine.png/.svg, grad_relerr.png/.svg, summary.md.");
    }

    @Override
    public List<Shorthand> shorthands() {
        return List.of(new Shorthand("--negatives", "LAW", "negative_law",
                "fresh-mixture (default; the authors' script and the paper's figure) or same-mixture (the anchors' law)."));
    }

    @Override
    public List<String> units(GradConsistencyConfig config) {
        return List.of("all-seeds");
    }

    @Override
    public Object runUnit(GradConsistencyConfig config, String unit, UnitContext context) {
        return curves(config, context.device());
    }

    @Override
    public Map<String, Object> render(GradConsistencyConfig config, Results results, Path dir) {
        List<Curve> curves = List.of(Json.MAPPER.convertValue(results.units().get("all-seeds"), Curve[].class));
        return write(new GradConsistencyResult(config, results.device(), results.seconds(), curves), dir);
    }
}
