package org.gaplab.engine.measure;

import java.util.Locale;

/** Renders a {@link GapReport} as a readable table or as CSV (one row per statistic). */
public final class ReportText {
    private ReportText() {}

    /** @return the report as a plain-text table with a short header and the tests */
    public static String table(GapReport r) {
        StringBuilder sb = new StringBuilder();
        GapReport.Input in = r.input();
        GapReport.Settings s = r.settings();
        sb.append(String.format(Locale.ROOT, "input     %s: %s (n1 = %d) vs %s (n2 = %d), d = %d, pairs %s%n", in.kind(), in.source1(), in.n1(),
                in.source2(), in.n2(), in.dim(), in.pairs()));
        sb.append(String.format(Locale.ROOT, "geometry  %s (intrinsic dim %d), rows %s, device %s%n", in.manifoldLabel(), in.intrinsicDim(),
                in.normalized() ? "L2-normalised" : "raw (not normalised)", in.device()));
        sb.append(String.format(Locale.ROOT, "sampling  %d subsample(s) of m = %d without replacement, shuffle control %s, seed %d%n",
                s.subsamples(), s.subsampleSize(), s.shuffleControl() ? "on" : "off", s.seed()));
        sb.append(String.format(Locale.ROOT, "estimators k-NN k = %d (%s), MMD biased V-statistic, s = %s, tau = %.4g (%s)%n", s.knnK(),
                s.ballVolume(), formatArray(s.mmdBandwidths()), s.tau(), s.tauSource()));
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-26s %12s %24s %24s%n", "statistic", "whole set", "mean +- std", "shuffled pairing"));
        String group = null;
        for (GapReport.Estimate e : r.estimates()) {
            if (!e.group().equals(group)) {
                group = e.group();
                sb.append("[").append(group).append("]\n");
            }
            sb.append(String.format(Locale.ROOT, "  %-24s %12s %24s %24s%n", e.name(), number(e.full()), pm(e.mean(), e.std()),
                    pm(e.shuffleMean(), e.shuffleStd())));
        }
        if (!r.permutationTests().isEmpty()) {
            sb.append('\n').append("permutation tests (first subsample, ").append(r.permutationTests().get(0).permutations())
                    .append(" relabellings)\n");
            for (GapReport.TestResult t : r.permutationTests()) {
                sb.append(String.format(Locale.ROOT, "  %-24s observed %-12s p = %.4g%n", t.statistic(), number(t.observed()), t.pValue()));
            }
        }
        if (r.theory() != null) {
            GapReport.TheoryCheck t = r.theory();
            sb.append('\n').append("theory check: L_B - ln B -> L_inf = E + ln c_tau (tau -> 0)\n");
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
        StringBuilder sb = new StringBuilder("name,group,whole_set,mean,std,shuffle_mean,shuffle_std,subsample_size,subsamples,description\n");
        for (GapReport.Estimate e : r.estimates()) {
            sb.append(e.name()).append(',').append(e.group()).append(',').append(csvNumber(e.full())).append(',')
                    .append(csvNumber(e.mean())).append(',').append(csvNumber(e.std())).append(',').append(csvNumber(e.shuffleMean()))
                    .append(',').append(csvNumber(e.shuffleStd())).append(',').append(r.settings().subsampleSize()).append(',')
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
