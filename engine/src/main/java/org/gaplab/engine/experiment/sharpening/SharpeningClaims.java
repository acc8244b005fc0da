package org.gaplab.engine.experiment.sharpening;

import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.TrackedTraining;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The claims of sharpening checked against a result, and the trend text of its summary. */
public final class SharpeningClaims {
    private SharpeningClaims() {}

    public static List<Claim> claims(Sharpening.SharpeningResult r) {
        SharpeningConfig c = r.config();
        int n = c.seeds();
        List<Double> positive = c.sigmas().stream().filter(s -> s > 0).toList();
        List<Double> pExp = new ArrayList<>();
        List<Double> pOpp = new ArrayList<>();
        StringBuilder ev = new StringBuilder();
        int unconverged = (int) r.rows().stream().filter(x -> !x.converged()).count();
        for (double tau : c.taus()) {
            double[] j0 = Sharpening.converged(Sharpening.at(r.rows(), tau, 0.0), "jeffreys", n);
            double[] g0 = Sharpening.converged(Sharpening.at(r.rows(), tau, 0.0), "centroid_gap", n);
            for (double sigma : positive) {
                double[] j = Sharpening.converged(Sharpening.at(r.rows(), tau, sigma), "jeffreys", n);
                double[] g = Sharpening.converged(Sharpening.at(r.rows(), tau, sigma), "centroid_gap", n);
                HypothesisTests.Tested tj = HypothesisTests.signedRank(j, j0, HypothesisTests.Direction.INCREASING);
                HypothesisTests.Tested tg = HypothesisTests.signedRank(g, g0, HypothesisTests.Direction.INCREASING);
                pExp.add(tj.pExpected());
                pExp.add(tg.pExpected());
                pOpp.add(tj.pOpposite());
                pOpp.add(tg.pOpposite());
                ev.append(ev.length() == 0 ? "" : "; ").append("tau ").append(UnimodalGibbs.fmtTau(tau)).append(", sigma ")
                        .append(Outputs.f(sigma, 1)).append(": p(J) = ").append(HypothesisTests.p(tj.pExpected())).append(", p(gap) = ")
                        .append(HypothesisTests.p(tg.pExpected()));
            }
        }
        boolean all = !pExp.isEmpty() && pExp.stream().allMatch(p -> p < HypothesisTests.ALPHA);
        boolean against = Arrays.stream(HypothesisTests.holm(pOpp.stream().mapToDouble(Double::doubleValue).toArray()))
                .anyMatch(p -> p < HypothesisTests.ALPHA);
        List<Claim> out = new ArrayList<>();
        out.add(new Claim("The gap persists under kernel sharpening: at every tau the trained J and centroid gap at sigma > 0 stay above "
                + "the sigma = 0 control.",
                "paper, abstract (\"a persistent negative symmetric divergence term that remains even after kernel sharpening\"); "
                        + "docs/theory.md sections 5 and 8.1",
                "per (tau, sigma > 0) and statistic (J on disjoint halves, centroid gap), Wilcoxon signed-rank over seeds against the sigma "
                        + "= 0 run of the same tau and seed, one-sided, level " + HypothesisTests.ALPHA + "; every cell and both statistics must "
                        + "reject; unconverged runs left out (a cell with fewer than 5 converged pairs cannot reject); NOT SUPPORTED when "
                        + "some cell is significantly below its control (Holm)",
                all ? Claim.Verdict.SUPPORTED : against ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE,
                unconverged + " of " + r.rows().size() + " runs unconverged and left out; largest p = "
                        + HypothesisTests.p(pExp.stream().mapToDouble(Double::doubleValue).max().orElse(1)) + "; " + ev));
        return out;
    }

    /** The trend of J against ln tau per sigma > 0: an observation, not a verdict. */
    public static String trendText(Sharpening.SharpeningResult r) {
        SharpeningConfig c = r.config();
        StringBuilder sb = new StringBuilder("## Trend against tau (observation)\n\n");
        sb.append("Per seed, Kendall's tau and the least-squares slope of J (and of the centroid gap) against ln tau over the converged runs; "
                + "across seeds, the signed-rank test of the Kendall taus (two one-sided p-values) and the median per-seed slope with its "
                + "distribution-free 90% interval. Liang et al. (2022) report the gap growing as the temperature falls, i.e. a negative "
                + "slope against ln tau.\n\n");
        for (double sigma : c.sigmas()) {
            if (sigma == 0) {
                continue;
            }
            for (String metric : List.of("jeffreys", "centroid_gap")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                List<Long> seed = new ArrayList<>();
                for (TrackedTraining.Row row : r.rows()) {
                    if (((Number) row.overrides().get("sigma")).doubleValue() == sigma && row.converged()) {
                        x.add(Math.log(((Number) row.overrides().get("tau")).doubleValue()));
                        y.add(row.metric(metric));
                        seed.add(row.seed());
                    }
                }
                double[] xs = x.stream().mapToDouble(Double::doubleValue).toArray();
                double[] ys = y.stream().mapToDouble(Double::doubleValue).toArray();
                long[] ss = seed.stream().mapToLong(Long::longValue).toArray();
                HypothesisTests.Trend t = HypothesisTests.trend(xs, ys, ss, HypothesisTests.Direction.INCREASING);
                double[] slopes = HypothesisTests.perSeedSlopes(xs, ys, ss);
                RobustHypothesisTests.MedianCi m = RobustHypothesisTests.medianCi(slopes);
                String direction = m.hi() < 0 ? "falls as tau grows (grows as tau falls, Liang et al.'s direction)"
                        : m.lo() > 0 ? "grows with tau (falls as tau falls, against Liang et al.'s direction)"
                        : "no direction the interval can tell";
                sb.append(String.format(java.util.Locale.ROOT, "- sigma %.1f, %s: %d of %d seeds increase with tau, p(increasing) = %s, "
                        + "p(decreasing) = %s; per-seed slope per unit ln tau: %s: %s.%n", sigma, metric.equals("jeffreys") ? "J" : "centroid gap",
                        t.agreeing(), t.tau().length, HypothesisTests.p(t.test().pExpected()), HypothesisTests.p(t.test().pOpposite()), m.text(4),
                        direction));
            }
        }
        return sb.toString();
    }
}
