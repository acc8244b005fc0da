package org.gaplab.engine.experiment.gibbslimit;

import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.RobustHypothesisTests;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The claims of gibbs-limit checked against a result: whether the unimodal-gibbs deviation is the KDE estimator's bias. */
public final class GibbsLimitClaims {
    private GibbsLimitClaims() {}

    /** @return the claims L1 and L2 of docs/theory.md section 8.1 */
    public static List<Claim> claims(GibbsLimit.GibbsLimitResult r) {
        GibbsLimitConfig c = r.config();
        String source = "issue 25 (is the cap-mass bias of unimodal-gibbs the KDE estimator's or the theory's?); paper section 4; "
                + "docs/theory.md section 8.1";
        int nt = c.taus().size();
        int nl = r.levels().size();
        double[] pShrink = new double[nt];
        double[] pGrow = new double[nt];
        double[] pEquiv = new double[nt];
        double[] pBeyond = new double[nt];
        StringBuilder ev1 = new StringBuilder();
        StringBuilder ev2 = new StringBuilder();
        int minSeeds = Integer.MAX_VALUE;
        for (int t = 0; t < nt; t++) {
            double[] hsq = new double[nl];
            double[] bias = new double[nl];
            double[] se = new double[nl];
            for (int i = 0; i < nl; i++) {
                GibbsLimit.Row row = GibbsLimit.row(r, i, t);
                hsq[i] = row.bandwidth() * row.bandwidth();
                bias[i] = row.bias();
                se[i] = row.biasSe();
                minSeeds = Math.min(minSeeds, row.seeds());
            }
            double g = r.gibbs().capMass()[t];
            double[] first = Arrays.stream(r.levels().get(0).capMass()[t]).map(x -> x - g).toArray();
            double[] last = Arrays.stream(r.levels().get(nl - 1).capMass()[t]).map(x -> x - g).toArray();
            HypothesisTests.Welch w = HypothesisTests.welch(first, last, HypothesisTests.Direction.INCREASING);
            pShrink[t] = w.test().pExpected();
            pGrow[t] = w.test().pOpposite();
            RobustHypothesisTests.Line line = RobustHypothesisTests.weightedLine(hsq, bias, se);
            int df = Math.max(0, minSeedsAt(r, t) - 1);
            RobustHypothesisTests.Equivalence eq = RobustHypothesisTests.tEquivalence(line.a(), line.seA(), df, c.margin());
            pEquiv[t] = eq.pEquivalent();
            pBeyond[t] = eq.pBeyond();
            double half = RobustHypothesisTests.tHalfWidth(line.seA(), df);
            String tau = UnimodalGibbs.fmtTau(c.taus().get(t));
            ev1.append(t == 0 ? "" : "; ").append("tau=").append(tau).append(": bias ");
            for (int i = 0; i < nl; i++) {
                ev1.append(i == 0 ? "" : " -> ").append(String.format(java.util.Locale.ROOT, "%+.4f", bias[i]));
            }
            ev1.append(" (h = ").append(c.bandwidths().get(0)).append(" .. ").append(c.bandwidths().get(nl - 1))
                    .append("), Welch difference ").append(Outputs.f(w.difference(), 4)).append(", p = ").append(HypothesisTests.p(pShrink[t]))
                    .append(", slope ").append(Outputs.f(line.b(), 3)).append(" per unit h^2");
            ev2.append(t == 0 ? "" : "; ").append("tau=").append(tau).append(": bias at h = 0 ")
                    .append(String.format(java.util.Locale.ROOT, "%+.4f", line.a())).append(", 90% CI [")
                    .append(Outputs.f(line.a() - half, 4)).append(", ").append(Outputs.f(line.a() + half, 4)).append("] (df ").append(df)
                    .append("), equivalence p = ").append(HypothesisTests.p(pEquiv[t]));
        }
        List<Claim> out = new ArrayList<>();
        boolean allShrink = Arrays.stream(pShrink).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean grows = Arrays.stream(HypothesisTests.holm(pGrow)).anyMatch(p -> p < HypothesisTests.ALPHA);
        out.add(new Claim("The cap-mass bias of the particle objective shrinks as the KDE bandwidth h falls (M scaled with 1/h^2).",
                source,
                "at every tau, Welch's one-sided test of mean bias at the largest h above that at the smallest h, level " + HypothesisTests.ALPHA
                        + " (every tau must reject); NOT SUPPORTED when some tau shows the opposite significantly (Holm)",
                allShrink ? Claim.Verdict.SUPPORTED : grows ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE, ev1.toString()));
        boolean allEquiv = minSeeds >= 2 && Arrays.stream(pEquiv).allMatch(p -> p < HypothesisTests.ALPHA);
        boolean beyond = minSeeds >= 2 && Arrays.stream(HypothesisTests.holm(pBeyond)).anyMatch(p -> p < HypothesisTests.ALPHA);
        out.add(new Claim("The cap-mass bias extrapolated to h = 0 is consistent with zero (the particles track Gibbs in the limit).",
                source,
                "weighted least-squares fit bias = a + b h^2 over the levels (weights 1/SE^2), a's 90% t-interval with min(seeds) - 1 "
                        + "degrees of freedom; SUPPORTED when at every tau it lies within +-" + c.margin() + " (two one-sided tests, level "
                        + HypothesisTests.ALPHA + "); NOT SUPPORTED when at some tau a lies beyond the margin significantly (Holm); "
                        + "INCONCLUSIVE otherwise, and with fewer than 2 seeds per level",
                allEquiv ? Claim.Verdict.SUPPORTED : beyond ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE, ev2.toString()));
        return out;
    }

    static int minSeedsAt(GibbsLimit.GibbsLimitResult r, int t) {
        int n = Integer.MAX_VALUE;
        for (int i = 0; i < r.levels().size(); i++) {
            n = Math.min(n, GibbsLimit.row(r, i, t).seeds());
        }
        return n;
    }
}
