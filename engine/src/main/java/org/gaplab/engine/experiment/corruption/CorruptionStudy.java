package org.gaplab.engine.experiment.corruption;

import ai.djl.Device;

import org.gaplab.engine.measure.Moments;
import org.gaplab.core.Json;
import org.gaplab.datasets.paired.DigitsConfig;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.EvalGeometry;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.measure.Metric;
import org.gaplab.engine.sweep.SweepPoint;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gaplab reproduce corruption}: train on digit halves whose training pairs are corrupted
 * with probability p (a pair takes the other half of another image of the same digit), then
 * measure the clean held-out pairs: retrieval and gap statistics against p. The paper's COCO finding
 * is that retrieval falls and the centroid gap grows as p grows.
 */
public final class CorruptionStudy {
    /** The swept key in rows and tables. */
    public static final String KEY = "corruption";

    private CorruptionStudy() {}

    /**
     * @param config the settings
     * @param rows every run
     * @param points per-p summary
     * @param untrainedR1 per seed, held-out R@1 (mean of both directions) of the model at initialisation, before
     *     any step: the control that shows whether the runs learnt anything to lose
     * @param seconds wall time
     * @param device where it ran
     */
    public record CorruptionStudyResult(CorruptionStudyConfig config, SweepTable rows, List<ParameterStudy.Point> points, double[] untrainedR1,
            double seconds, String device) {}

    static java.util.function.BiFunction<Double, Long, org.gaplab.engine.config.RunConfig> runAt(CorruptionStudyConfig config) {
        DigitsConfig data = (DigitsConfig) config.run().data();
        return (p, seed) -> config.run().withData(data.withCorruption(p)).withSeed(seed).withName("corruption");
    }

    /** Held-out R@1 (mean of both directions) of each seed's model at initialisation. */
    static double[] untrainedR1(CorruptionStudyConfig config, Device device) {
        List<SweepPoint> untrained = new java.util.ArrayList<>();
        for (int s = 0; s < config.seeds(); s++) {
            untrained.add(new SweepPoint(s, Map.of(), s, runAt(config).apply(config.probabilities().get(0), (long) s)));
        }
        return Sweeps.measureAtInit(untrained, device, new EvalGeometry()).stream()
                .mapToDouble(m -> (m.get(Metric.EVAL_R1_1TO2.key()) + m.get(Metric.EVAL_R1_2TO1.key())) / 2).toArray();
    }

    /** @return the claims checked against a result: trend tests over every p on per-run values */
    public static List<Claim> claims(CorruptionStudyResult r) {
        List<SweepRow> runs = r.rows().rows().stream().filter(SweepRow::completed).toList();
        double[] p = runs.stream().mapToDouble(x -> ((Number) x.overrides().get(KEY)).doubleValue()).toArray();
        double[] r1 = runs.stream().mapToDouble(x -> (x.metric(Metric.EVAL_R1_1TO2) + x.metric(Metric.EVAL_R1_2TO1)) / 2).toArray();
        double[] gap = runs.stream().mapToDouble(x -> x.metric(Metric.EVAL_CENTROID_GAP)).toArray();
        long[] seed = runs.stream().mapToLong(SweepRow::seed).toArray();
        String source = "paper, section 6 (pretrained CLIP on COCO with pair corruption); docs/theory.md section 7";
        // the claims are about what training learns: first check that the runs at the smallest p learnt the pairing
        double p0 = r.config().probabilities().get(0);
        double[] gain = new double[r.untrainedR1().length];
        java.util.Arrays.fill(gain, Double.NaN);
        for (SweepRow x : runs) {
            if (((Number) x.overrides().get(KEY)).doubleValue() == p0 && x.seed() < gain.length) {
                gain[(int) x.seed()] = (x.metric(Metric.EVAL_R1_1TO2) + x.metric(Metric.EVAL_R1_2TO1)) / 2 - r.untrainedR1()[(int) x.seed()];
            }
        }
        HypothesisTests.Tested learned = HypothesisTests.againstThreshold(gain, 0, HypothesisTests.Direction.INCREASING);
        if (learned.verdict() != Claim.Verdict.SUPPORTED) {
            String why = String.format(java.util.Locale.ROOT, "the runs did not learn the pairing: held-out R@1 at p = %s exceeds the "
                    + "untrained model's by %.4f on average (paired t-test over seeds, p = %s), so there is nothing for corruption to "
                    + "degrade", p0, Moments.mean(java.util.Arrays.stream(gain).filter(Double::isFinite).toArray()), HypothesisTests.p(learned.pExpected()));
            String criterion = "first, the runs at p = " + p0 + " must beat the untrained model's R@1 (paired one-sided t-test, level "
                    + HypothesisTests.ALPHA + "); then a trend test across seeds over every p";
            return List.of(new Claim("Retrieval falls as the corruption probability p grows.", source, criterion, Claim.Verdict.INCONCLUSIVE, why),
                    new Claim("The centroid gap grows as p grows.", source, criterion, Claim.Verdict.INCONCLUSIVE, why));
        }
        return List.of(
                HypothesisTests.trendClaim("Retrieval falls as the corruption probability p grows.", source,
                        "held-out R@1 (mean of both directions)", "p", p, r1, seed, HypothesisTests.Direction.DECREASING),
                HypothesisTests.trendClaim("The centroid gap grows as p grows.", source, "held-out centroid gap", "p", p, gap, seed,
                        HypothesisTests.Direction.INCREASING));
    }

    /** Writes corruption.json, corruption.csv, runs.csv, the figures and summary.md. */
    public static Map<String, Object> write(CorruptionStudyResult r, Path out) {
        List<String> metrics = EvalGeometry.rowMetrics();
        List<Claim> claims = claims(r);
        Map<String, Object> doc = Outputs.document("corruption", Outputs.inOrder("probabilities", r.config().probabilities(),
                "seeds", r.config().seeds(), "run", org.gaplab.engine.config.ConfigLoader.toTree(r.config().run())), r.device());
        doc.put("wall_seconds", r.seconds());
        doc.put("measured_on", "the clean held-out pairs (eval split); " + EvalGeometry.class.getSimpleName()
                + ": one subsample of at most " + EvalGeometry.SUBSAMPLE + " pairs");
        doc.put("points", r.points());
        doc.put("claims", claims);
        doc.put("runs", r.rows().rows());
        Json.write(out.resolve("corruption.json"), doc);
        ParameterStudy.writeCsv(out.resolve("corruption.csv"), KEY, r.points(), metrics);
        Json.writeAtomically(out.resolve("runs.csv"), r.rows().csv().getBytes(StandardCharsets.UTF_8));
        ParameterStudy.figure(out.resolve("retrieval_vs_p"), "Held-out retrieval vs corruption (mean ± sd over seeds)",
                "corruption probability p", "R@K", r.points(), Outputs.<String>inOrder("eval_r1_1to2", "R@1 left→right",
                        "eval_r1_2to1", "R@1 right→left", "eval_r5_1to2", "R@5 left→right"));
        ParameterStudy.figure(out.resolve("gap_vs_p"), "Gap statistics vs corruption (mean ± sd over seeds)",
                "corruption probability p", "statistic", r.points(), Outputs.<String>inOrder("eval_centroid_gap", "centroid gap",
                        "eval_energy_distance", "energy distance", "eval_mmd2_rbf_1x", "MMD² (RBF, 1x median)"));
        StringBuilder table = new StringBuilder("| p | runs | R@1 l→r | R@1 r→l | centroid gap | energy distance | MMD² 1x |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (ParameterStudy.Point p : r.points()) {
            table.append("| ").append(p.value()).append(" | ").append(p.runs());
            for (Metric m : List.of(Metric.EVAL_R1_1TO2, Metric.EVAL_R1_2TO1, Metric.EVAL_CENTROID_GAP, Metric.EVAL_ENERGY_DISTANCE, Metric.EVAL_MMD2_RBF_1X)) {
                table.append(" | ").append(Outputs.f(p.mean(m), 4)).append(" ± ").append(Outputs.f(p.sd(m), 4));
            }
            table.append(" |\n");
        }
        Outputs.summary(out.resolve("summary.md"), "Pair corruption on the bundled digits",
                "Left and right halves of the UCI digits as two modalities; with probability p a training image is paired "
                        + "with the right half of another image of the same digit (fixed per image, nested in p). "
                        + r.config().seeds() + " seeds per p, " + r.config().run().steps() + " steps each; statistics of the "
                        + "clean held-out pairs (359 images, R@1 chance 1/359 = 0.0028).",
                claims, table + "\nRuntime: " + Outputs.f(r.seconds(), 1) + " s on " + r.device() + ".");
        return doc;
    }
}
