package org.gaplab.engine.measure;

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
        sb.append(String.format(Locale.ROOT, "estimators k-NN k = %d (%s), energy and MMD^2 unbiased U-statistics, s = %s, tau = %s (%s)%n",
                s.knnK(), s.ballVolume(), formatArray(s.mmdBandwidths()), s.tau() == null ? "none" : String.format(Locale.ROOT, "%.4g", s.tau()),
                s.tauSource()));
        sb.append("retrieval ").append(s.retrievalProtocol()).append('\n');
        for (String note : r.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-26s %-11s %12s %24s %24s%n", "statistic", "sample", "whole set", "mean +- std",
                "shuffled pairing"));
        String group = null;
        boolean marginalShown = false;
        for (GapReport.Estimate e : r.estimates()) {
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
            sb.append(String.format(Locale.ROOT, "  %-24s %-11s %12s %24s %24s%s%n", e.name(), e.sample(), number(e.full()),
                    pm(e.mean(), e.std()), shuffledColumn, e.reliable() ? "" : "  (!)"));
        }
        if (marginalShown) {
            sb.append("\"= (marginal)\": a statistic of the two marginals; shuffling the pairing cannot change it.\n");
        }
        long flagged = r.estimates().stream().filter(e -> !e.reliable()).count();
        if (flagged > 0) {
            sb.append('\n').append(String.format(Locale.ROOT,
                    "WARNING: %d estimate(s) marked (!) are unreliable at this dimension, m and k; see 'reason' in the JSON. First:%n  %s%n",
                    flagged, r.estimates().stream().filter(e -> !e.reliable()).findFirst().orElseThrow().reason()));
        }
        if (!r.permutationTests().isEmpty()) {
            GapReport.TestResult first = r.permutationTests().get(0);
            sb.append('\n').append(String.format(Locale.ROOT,
                    "permutation tests (first pair of independent samples, %d + %d points pooled, %d relabellings)%n", first.size1(),
                    first.size2(), first.permutations()));
            for (GapReport.TestResult t : r.permutationTests()) {
                sb.append(String.format(Locale.ROOT, "  %-24s observed %-12s p = %.4g%n", t.statistic(), number(t.observed()), t.pValue()));
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
        sb.append('\n').append(String.format(Locale.ROOT, "time %.2f s%n", r.timingSeconds().get("total")));
        return sb.toString();
    }

    /** @return one CSV row per statistic, with a header */
    public static String csv(GapReport r) {
        StringBuilder sb = new StringBuilder(
                "name,group,sample,whole_set,mean,std,shuffle_whole_set,shuffle_mean,shuffle_std,reliable,subsample_size,subsamples,description\n");
        for (GapReport.Estimate e : r.estimates()) {
            sb.append(e.name()).append(',').append(e.group()).append(',').append(e.sample()).append(',').append(csvNumber(e.full())).append(',')
                    .append(csvNumber(e.mean())).append(',').append(csvNumber(e.std())).append(',').append(csvNumber(e.shuffleFull()))
                    .append(',').append(csvNumber(e.shuffleMean()))
                    .append(',').append(csvNumber(e.shuffleStd())).append(',').append(e.reliable()).append(',').append(r.settings().subsampleSize()).append(',')
                    .append(r.settings().subsamples()).append(",\"").append(e.description().replace("\"", "\"\"")).append("\"\n");
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
