package org.gaplab.engine.measure;

import java.util.List;
import java.util.Locale;

/** Renders a {@link GapReport} as a readable table or as CSV (one row per statistic). */
public final class ReportText {
    private ReportText() {}

    /** @return the report as a plain-text table with a short header, notes, warnings and the tests */
    public static String table(GapReport r) {
        StringBuilder sb = new StringBuilder();
        GapReport.Input in = r.input();
        GapReport.Settings s = r.settings();
        sb.append(String.format(Locale.ROOT, "input     %s: %s (n1 = %d) vs %s (n2 = %d), d = %d, pairs %s%n", in.kind(), in.source1(), in.n1(),
                in.source2(), in.n2(), in.dim(), in.pairs()));
        sb.append(String.format(Locale.ROOT, "geometry  %s (intrinsic dim %d), rows %s, device %s%n", in.manifoldLabel(), in.intrinsicDim(),
                in.normalized() ? "L2-normalised" : "raw (not normalised)", in.device()));
        sb.append(String.format(Locale.ROOT,
                "sampling  %d repeats; independent: m = %d per side from disjoint halves (marginal of modality 1: %s); paired: %d true pairs;"
                        + " shuffle control %s; seed %d%n",
                s.subsamples(), s.subsampleSize(), s.marginal(), s.pairSubsampleSize(), s.shuffleControl() ? "on" : "off", s.seed()));
        if (s.distinctPoints() > 0 && s.distinctPoints() < s.subsampleSize()) {
            sb.append(String.format(Locale.ROOT,
                    "          k-NN searches see each image once: at least %d distinct points per side (the m of their reliability checks)%n",
                    s.distinctPoints()));
        }
        sb.append(String.format(Locale.ROOT, "estimators k-NN k = %d (%s), energy and MMD^2 unbiased U-statistics, s = %s, tau = %s (%s)%n",
                s.knnK(), s.ballVolume(), formatArray(s.mmdBandwidths()), s.tau() == null ? "none" : String.format(Locale.ROOT, "%.4g", s.tau()),
                s.tauSource()));
        sb.append("retrieval ").append(s.retrievalProtocol()).append('\n');
        if (s.separability() != null) {
            sb.append("separability ").append(s.separability()).append('\n');
        }
        for (String note : r.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        if (r.has("centroid_gap") && r.estimate("centroid_gap").full() != null) {
            sb.append('\n').append(String.format(Locale.ROOT, "centroid gap %s (whole set, each image once)", number(r.estimate("centroid_gap").full())));
            if (r.has("rmg") && r.estimate("rmg").full() != null) {
                sb.append(String.format(Locale.ROOT, "   RMG %s", number(r.estimate("rmg").full())));
            }
            if (r.has("separability_accuracy") && r.estimate("separability_accuracy").full() != null) {
                sb.append(String.format(Locale.ROOT, "   separability %s [%s, %s]", number(r.estimate("separability_accuracy").full()),
                        number(r.estimate("separability_ci_low").full()), number(r.estimate("separability_ci_high").full())));
            }
            sb.append('\n');
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-30s %-14s %11s %24s %22s  %s%n", "statistic", "sample", "whole set", "subsample mean +- sd",
                "shuffled pairing", "unit / meaning"));
        boolean marginalShown = false;
        boolean noSpread = false;
        marginalShown |= rows(sb, r, true);
        List<GapReport.Estimate> flagged = r.estimates().stream().filter(e -> !e.reliable()).toList();
        for (GapReport.Estimate e : r.estimates()) {
            if (e.reliable() && constant(e)) {
                noSpread = true;
            }
        }
        if (marginalShown) {
            sb.append("\"= (marginal)\": a statistic of the two marginals; shuffling the pairing cannot change it.\n");
        }
        if (noSpread) {
            sb.append("\"(no spread)\": every repeat gave the same value (the repeats all used the same rows), so no sd is shown.\n");
        }
        if (r.has("centroid_gap")) {
            sb.append("centroid rows: the whole-set column is the centroid gap; the subsample mean (m points per side) is biased upward by"
                    + " sampling noise.\n");
        }
        if (!flagged.isEmpty()) {
            sb.append('\n').append(String.format(Locale.ROOT,
                    "WARNING: unreliable estimates, kept apart (%d, marked (!)): they fail the dimension rule or the stability checks"
                            + " at this dimension, m and k, so they are not estimates here; see 'reason' in the JSON. First:%n  %s%n",
                    flagged.size(), flagged.get(0).reason()));
            rows(sb, r, false);
        }
        if (!r.permutationTests().isEmpty()) {
            GapReport.TestResult first = r.permutationTests().get(0);
            double floor = first.pFloor() > 0 ? first.pFloor() : 1.0 / (first.permutations() + 1);
            sb.append('\n').append(String.format(Locale.ROOT,
                    "permutation tests (repeat %d's pair of independent samples, %d + %d points pooled, P = %d relabellings;"
                            + " the smallest p they can give is 1/(P+1) = %.4g)%n",
                    first.repeat() + 1, first.size1(), first.size2(), first.permutations(), floor));
            for (GapReport.TestResult t : r.permutationTests()) {
                String p = t.pValue() <= floor * (1 + 1e-9) ? String.format(Locale.ROOT, "p <= %.4g (the floor: no relabelling reached it)", floor)
                        : String.format(Locale.ROOT, "p = %.4g", t.pValue());
                sb.append(String.format(Locale.ROOT, "  %-24s observed %-12s %s%n", t.statistic(), number(t.observed()), p));
            }
        }
        if (r.theory() != null) {
            GapReport.TheoryCheck t = r.theory();
            sb.append('\n').append("theory check: L_B - ln B -> L_inf = E + ln c_tau (tau -> 0)")
                    .append(t.reliable() ? "" : "   (!) E is unreliable: " + t.reason()).append('\n');
            sb.append(String.format(Locale.ROOT, "  ln c_tau %.4f   L_inf (plug-in) %.4f   E %.4f   E + ln c_tau %.4f%n", t.logCTau(),
                    t.largeBatchEnergy(), t.energy(), t.energyPlusLogCTau()));
            for (GapReport.BatchLoss b : t.finiteBatch()) {
                sb.append(String.format(Locale.ROOT, "  B = %-6d L_B - ln B = %s%n", b.batchSize(), pm(b.lossMinusLogB(), b.std())));
            }
        }
        if (r.shift() != null) {
            GapReport.ShiftResult sh = r.shift();
            sb.append('\n').append(String.format(Locale.ROOT, "shift experiment: %d deltas, unshifted gap %s; %s%n", sh.points().size(),
                    number(sh.unshiftedGap()), sh.protocol()));
            for (GapReport.ShiftMinimum m : sh.minima()) {
                if (m.flat()) {
                    sb.append(String.format(Locale.ROOT, "  tau %-8s loss the same at every delta (%s): no minimum on this grid%n", number(m.tau()),
                            number(sh.points().get(0).loss()[sh.minima().indexOf(m)])));
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "  tau %-8s loss smallest at delta %s: measured gap %s, in [%s, %s]%s%n", number(m.tau()),
                        number(m.delta()), number(m.gap()), number(m.gapLow()), number(m.gapHigh()),
                        m.atEdge() ? " (at the grid's edge: the minimum may lie outside the grid)" : ""));
            }
        }
        sb.append('\n').append(String.format(Locale.ROOT, "time %.2f s%n", r.timingSeconds().get("total")));
        return sb.toString();
    }

    /** Appends the reliable (or the unreliable) rows, grouped; @return whether a "= (marginal)" entry was shown */
    private static boolean rows(StringBuilder sb, GapReport r, boolean reliable) {
        GapReport.Settings s = r.settings();
        String group = null;
        boolean marginalShown = false;
        for (GapReport.Estimate e : r.estimates()) {
            if (e.reliable() != reliable) {
                continue;
            }
            if (!e.group().equals(group)) {
                group = e.group();
                sb.append("[").append(group).append("]\n");
            }
            String shuffledColumn;
            if (e.shuffleFull() != null) {
                shuffledColumn = number(e.shuffleFull());
            } else if (e.shuffleMean() != null) {
                shuffledColumn = pm(e.shuffleMean(), e.shuffleStd());
            } else if (s.shuffleControl() && e.sample().equals("independent")) {
                shuffledColumn = "= (marginal)";
                marginalShown = true;
            } else {
                shuffledColumn = "-";
            }
            String meanColumn = e.mean() == null ? (e.full() == null ? "-" : e.sample().equals("whole set") ? "whole set" : "one value")
                    : constant(e) ? number(e.mean()) + " (no spread)" : pm(e.mean(), e.std());
            sb.append(String.format(Locale.ROOT, "  %-28s %-14s %11s %24s %22s  %s%s%n", e.name(), e.sample(), number(e.full()), meanColumn,
                    shuffledColumn, reliable ? "" : "(!) ", StatisticCatalogue.unit(e.name())));
        }
        return marginalShown;
    }

    /** @return whether the repeats all gave the same value (an sd of round-off) */
    static boolean constant(GapReport.Estimate e) {
        return e.mean() != null && e.std() != null && e.std() <= 1e-9 * Math.max(1e-300, Math.abs(e.mean()));
    }

    /**
     * @param r the shift experiment
     * @return one CSV row per delta: delta, measured gap, the loss at each tau, R@1 both ways
     */
    public static String shiftCsv(GapReport.ShiftResult r) {
        StringBuilder sb = new StringBuilder("delta,measured_gap,gap_along_direction");
        for (double t : r.taus()) {
            sb.append(",loss_tau_").append(new java.math.BigDecimal(t).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString());
        }
        sb.append(",r1_1to2,r1_2to1\n");
        for (GapReport.ShiftPoint p : r.points()) {
            sb.append(p.delta()).append(',').append(p.measuredGap()).append(',').append(p.gapAlongDirection());
            for (double l : p.loss()) {
                sb.append(',').append(l);
            }
            sb.append(',').append(p.r1OneToTwo()).append(',').append(p.r1TwoToOne()).append('\n');
        }
        return sb.toString();
    }

    /** @return one CSV row per statistic, with a header */
    public static String csv(GapReport r) {
        StringBuilder sb = new StringBuilder(
                "name,group,sample,whole_set,mean,std,shuffle_whole_set,shuffle_mean,shuffle_std,reliable,subsample_size,subsamples,description,unit\n");
        for (GapReport.Estimate e : r.estimates()) {
            sb.append(e.name()).append(',').append(e.group()).append(',').append(e.sample()).append(',').append(csvNumber(e.full())).append(',')
                    .append(csvNumber(e.mean())).append(',').append(csvNumber(e.std())).append(',').append(csvNumber(e.shuffleFull()))
                    .append(',').append(csvNumber(e.shuffleMean()))
                    .append(',').append(csvNumber(e.shuffleStd())).append(',').append(e.reliable()).append(',').append(r.settings().subsampleSize()).append(',')
                    .append(r.settings().subsamples()).append(",\"").append(e.description().replace("\"", "\"\"")).append("\",\"")
                    .append(StatisticCatalogue.unit(e.name()).replace("\"", "\"\"")).append("\"\n");
        }
        return sb.toString();
    }

    private static String pm(Double mean, Double std) {
        if (mean == null) {
            return "-";
        }
        return std == null ? number(mean) : number(mean) + " +- " + number(std);
    }

    private static String number(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String csvNumber(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    private static String formatArray(double[] a) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", a[i]));
        }
        return sb.append('}').toString();
    }
}
