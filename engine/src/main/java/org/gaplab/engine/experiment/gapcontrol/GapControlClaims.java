package org.gaplab.engine.experiment.gapcontrol;

import org.gaplab.engine.measure.Moments;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.measure.Metric;

import java.util.ArrayList;
import java.util.List;

/** The claims of gap-control checked against a result: lambda = 0 against the largest lambda. */
public final class GapControlClaims {
    private GapControlClaims() {}

    /** @return the claims checked against a result: lambda = 0 against the largest lambda, by Welch's test */
    public static List<Claim> claims(GapControl.GapControlResult r) {
        List<Claim> out = new ArrayList<>();
        String source = "paper, section 5 (closing the gap needs an explicit cross-modal divergence regulariser); docs/theory.md section 5";
        for (GapControl.Curve c : r.curves()) {
            double l0 = c.points().get(0).value();
            double l1 = c.points().get(c.points().size() - 1).value();
            int n = r.config().seeds();
            double[] gap0 = GapControl.bySeed(c, l0, x -> x.metric(Metric.EVAL_CENTROID_GAP), n);
            double[] rel0 = GapControl.bySeed(c, l0, x -> x.metric(Metric.EVAL_CENTROID_GAP) / GapControl.spread(x), n);
            double[] sp0 = GapControl.bySeed(c, l0, GapControl::spread, n);
            List<Double> lambdas = c.points().stream().map(ParameterStudy.Point::value).filter(v -> v != l0).toList();
            double[] pClose = new double[lambdas.size()];
            boolean[] falls = new boolean[lambdas.size()];
            boolean[] collapsed = new boolean[lambdas.size()];
            StringBuilder ev = new StringBuilder();
            for (int i = 0; i < lambdas.size(); i++) {
                double l = lambdas.get(i);
                double[] gapL = GapControl.bySeed(c, l, x -> x.metric(Metric.EVAL_CENTROID_GAP), n);
                double[] relL = GapControl.bySeed(c, l, x -> x.metric(Metric.EVAL_CENTROID_GAP) / GapControl.spread(x), n);
                double[] spL = GapControl.bySeed(c, l, GapControl::spread, n);
                // paired by seed: lambda = 0 and lambda > 0 share initialisation and batches
                HypothesisTests.Tested gap = HypothesisTests.againstThreshold(GapControl.minus(gapL, gap0, 1), 0, HypothesisTests.Direction.DECREASING);
                HypothesisTests.Tested rel = HypothesisTests.againstThreshold(GapControl.minus(relL, rel0, 1), 0, HypothesisTests.Direction.DECREASING);
                HypothesisTests.Tested kept = HypothesisTests.againstThreshold(GapControl.minus(spL, sp0, 0.5), 0, HypothesisTests.Direction.INCREASING);
                pClose[i] = Math.max(gap.pExpected(), Math.max(rel.pExpected(), kept.pExpected()));
                falls[i] = gap.pExpected() < HypothesisTests.ALPHA;
                collapsed[i] = kept.pOpposite() < HypothesisTests.ALPHA;
                ev.append("lambda ").append(l).append(": centroid gap ").append(Outputs.f(Moments.mean(gap0), 3)).append(" -> ")
                        .append(Outputs.f(Moments.mean(gapL), 3)).append(" (p = ").append(HypothesisTests.p(gap.pExpected())).append("), gap / spread p = ")
                        .append(HypothesisTests.p(rel.pExpected())).append(", spread ").append(Outputs.f(Moments.mean(sp0), 3)).append(" -> ")
                        .append(Outputs.f(Moments.mean(spL), 3)).append(" (above half: p = ").append(HypothesisTests.p(kept.pExpected()))
                        .append(collapsed[i] ? "; COLLAPSE: below half, p = " + HypothesisTests.p(kept.pOpposite()) : "").append("); ");
            }
            double[] holm = HypothesisTests.holm(pClose);
            double largest = Double.NaN;
            for (int i = 0; i < lambdas.size(); i++) {
                if (holm[i] < HypothesisTests.ALPHA) {
                    largest = lambdas.get(i);
                }
            }
            boolean anyFalls = false;
            boolean allFallsCollapsed = true;
            for (int i = 0; i < lambdas.size(); i++) {
                anyFalls |= falls[i];
                allFallsCollapsed &= !falls[i] || collapsed[i];
            }
            Claim.Verdict v = !Double.isNaN(largest) ? Claim.Verdict.SUPPORTED
                    : anyFalls && allFallsCollapsed ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE;
            out.add(new Claim(c.dataset() + ": the divergence regulariser closes the population-level gap.", source,
                    "for each lambda > 0, paired by seed against lambda = 0 (one-sided paired t-tests at level " + HypothesisTests.ALPHA
                            + "): the centroid gap falls, the gap relative to the spread sqrt(1 - |c|^2) falls, and the spread stays "
                            + "significantly above half of the same seed's lambda = 0 spread (non-collapse shown, not assumed); SUPPORTED when "
                            + "some lambda passes all three (Holm across lambdas on the largest of its three p-values); NOT SUPPORTED when no "
                            + "lambda does and every lambda at which the gap falls has collapsed (spread significantly below half)",
                    v, (Double.isNaN(largest) ? "no lambda closes the gap without collapse" : "largest lambda that closes the gap without "
                            + "collapse: " + largest) + "; " + ev + "uniformity (Wang-Isola) "
                            + Outputs.f(GapControl.mean(c, l0, Metric.EVAL_WANG_ISOLA_UNIFORMITY_1), 3) + " / "
                            + Outputs.f(GapControl.mean(c, l0, Metric.EVAL_WANG_ISOLA_UNIFORMITY_2), 3) + " -> "
                            + Outputs.f(GapControl.mean(c, l1, Metric.EVAL_WANG_ISOLA_UNIFORMITY_1), 3) + " / "
                            + Outputs.f(GapControl.mean(c, l1, Metric.EVAL_WANG_ISOLA_UNIFORMITY_2), 3) + " at lambda " + l1));
            double[] loss0 = GapControl.bySeed(c, l0, x -> x.metric(Metric.EVAL_LOSS), n);
            double[] loss1 = GapControl.bySeed(c, l1, x -> x.metric(Metric.EVAL_LOSS), n);
            HypothesisTests.Tested loss = HypothesisTests.againstThreshold(GapControl.minus(loss1, loss0, 1), 0, HypothesisTests.Direction.INCREASING);
            out.add(new Claim(c.dataset() + ": closing the gap is a trade-off: the contrastive fit gets worse.", source,
                    "one-sided paired t-test over seeds at level " + HypothesisTests.ALPHA + ": held-out symmetric InfoNCE loss at lambda = " + l1
                            + " above the same seed's lambda = 0 loss",
                    loss.verdict(), "held-out InfoNCE " + Outputs.f(Moments.mean(GapControl.finite(loss0)), 4) + " -> " + Outputs.f(Moments.mean(GapControl.finite(loss1)), 4)
                            + " (p = " + HypothesisTests.p(loss.pExpected()) + "); R@1 "
                            + Outputs.f(GapControl.mean(c, l0, Metric.EVAL_R1_1TO2), 4) + " -> " + Outputs.f(GapControl.mean(c, l1, Metric.EVAL_R1_1TO2), 4)
                            + "; mean pair cosine " + Outputs.f(GapControl.mean(c, l0, Metric.MEAN_PAIR_COSINE), 4) + " -> "
                            + Outputs.f(GapControl.mean(c, l1, Metric.MEAN_PAIR_COSINE), 4)));
        }
        return out;
    }
}
