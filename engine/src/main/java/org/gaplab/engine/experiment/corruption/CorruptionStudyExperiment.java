package org.gaplab.engine.experiment.corruption;

import static org.gaplab.engine.experiment.corruption.CorruptionStudy.KEY;
import static org.gaplab.engine.experiment.corruption.CorruptionStudy.runAt;
import static org.gaplab.engine.experiment.corruption.CorruptionStudy.untrainedR1;
import static org.gaplab.engine.experiment.corruption.CorruptionStudy.write;

import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.experiment.Reproduction;
import org.gaplab.engine.experiment.corruption.CorruptionStudy.CorruptionStudyResult;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code gaplab reproduce corruption}: one unit per stacked chunk of runs, and one for the untrained control. */
public final class CorruptionStudyExperiment extends Reproduction<CorruptionStudyConfig> {
    private static final String UNTRAINED = "untrained-control";

    /** Declares corruption. */
    public CorruptionStudyExperiment() {
        super("corruption", CorruptionStudyConfig.class, CorruptionStudyConfig::defaults, CorruptionStudyConfig::quick,
                CorruptionStudyConfig::withSeeds, CorruptionStudyConfig::withSteps);
    }

    @Override
    public List<String> description() {
        return List.of("Same-class pair corruption on the bundled digits (the paper's COCO study, docs/theory.md section 7).",
            "",
            "With probability p a training image is paired with the right half of another image of the same digit",
            "(fixed per image for the whole run), for p in {0, 0.25, 0.5, 0.75, 1} and 10 seeds of the documented",
            "digits run (examples/digits.yaml: MLP 32-128-32 towers, tau 0.1, 300 steps). Measured on the clean",
            "held-out pairs (359 images): R@1/R@5 both ways, centroid gap, energy distance, MMD^2, k-NN J.",
            "Paper's finding: retrieval falls and the centroid gap grows as p grows.",
            "",
            "Runtime: see the README's Reproductions (--quick: 2 seeds x 150 steps). Outputs: corruption.json/.csv,",
            "runs.csv, retrieval_vs_p.png/.svg, gap_vs_p.png/.svg, summary.md.");
    }

    @Override
    public List<String> units(CorruptionStudyConfig config) {
        List<String> units = new java.util.ArrayList<>();
        int n = ParameterStudy.chunks(KEY, config.probabilities(), config.seeds(), runAt(config)).size();
        for (int i = 0; i < n; i++) {
            units.add("runs-" + i);
        }
        units.add(UNTRAINED);
        return units;
    }

    @Override
    public Object runUnit(CorruptionStudyConfig config, String unit, UnitContext context) {
        if (unit.equals(UNTRAINED)) {
            return untrainedR1(config, context.device());
        }
        int i = Integer.parseInt(unit.substring("runs-".length()));
        return ParameterStudy.trainChunk(KEY, ParameterStudy.chunks(KEY, config.probabilities(), config.seeds(), runAt(config)).get(i),
                context.device());
    }

    @Override
    public Map<String, Object> render(CorruptionStudyConfig config, Results results, Path dir) {
        List<SweepRow> rows = new java.util.ArrayList<>();
        for (String unit : units(config)) {
            if (!unit.equals(UNTRAINED)) {
                rows.addAll(List.of(results.get(unit, SweepRow[].class)));
            }
        }
        SweepTable table = new SweepTable(rows);
        return write(new CorruptionStudyResult(config, table, ParameterStudy.summarise(table, KEY, config.probabilities()),
                results.get(UNTRAINED, double[].class), results.seconds(), results.device()), dir);
    }
}
