package org.gaplab.engine.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a k-NN estimate (Kozachenko-Leonenko entropy, Wang-Kulkarni-Verdu KL and the Jeffreys
 * divergence built from it) can be trusted at its intrinsic dimension D, sample size m and
 * neighbour rank k. Two kinds of check, both required:
 * <ul>
 *   <li><b>Dimension rule.</b> The k-th neighbour ball of a point holds a share of about k/m of the
 *   mass, so its radius, relative to the spread of the law, is about {@code (k/m)^(1/D)}. The
 *   estimators treat the density as constant across that ball; we require the ball to be at most
 *   half the scale, {@code (k/m)^(1/D) <= 1/2}, that is {@code D <= log2(m / k)}: about 8 at
 *   m = 2000 and k = 5, never 511. Each extra dimension doubles the points needed.</li>
 *   <li><b>Stability.</b> The estimate must not move, beyond its own uncertainty, when k changes
 *   (k in {3, 5, 10}) or when the sample is halved (m/2 against m, same k):
 *   {@code |a - b| <= 3 sqrt(se_a^2 + se_b^2)}, with se the standard error of the estimate's mean
 *   over its points (averaged over the subsamples).</li>
 * </ul>
 * Terms built from flagged estimates (the theory's E and E + ln c_tau) inherit the flag.
 */
public final class Reliability {
    /** Tolerance of the stability checks, in standard errors. */
    public static final double Z = 3;

    private Reliability() {}

    /**
     * A verdict.
     *
     * @param reliable whether every check passed
     * @param reason what was checked and, when it failed, why
     */
    public record Verdict(boolean reliable, String reason) {
        /** A statistic that no rule concerns. */
        public static final Verdict NOT_APPLICABLE = new Verdict(true,
                "not a k-NN estimate: no dimension rule applies; its uncertainty is the std over repeats (and the permutation p-value)");
    }

    /**
     * One value of an estimate with its standard error.
     *
     * @param value mean over subsamples
     * @param se standard error over its points
     */
    public record Value(double value, double se) {}

    /** @return the largest intrinsic dimension the dimension rule allows at (m, k): {@code log2(m / k)} */
    public static double maxDimension(int m, int k) {
        return Math.log((double) m / k) / Math.log(2);
    }

    /**
     * @param estimator e.g. "Kozachenko-Leonenko k-NN entropy"
     * @param dim intrinsic dimension D
     * @param m points in the smaller sample
     * @param k neighbour rank of the reported value
     * @param atK the estimate at each neighbour rank of {@code ks} (NaN where not computed)
     * @param ks neighbour ranks, one of them k
     * @param half the estimate on the first halves (m/2), at k, or null when not computed
     * @return the verdict, with a reason naming the estimator, D, m and k
     */
    public static Verdict judge(String estimator, int dim, int m, int k, Value[] atK, int[] ks, Value half) {
        List<String> failed = new ArrayList<>();
        double maxDim = maxDimension(m, k);
        if (dim > maxDim) {
            failed.add(String.format(Locale.ROOT, "dimension rule needs D <= log2(m/k) = %.1f", maxDim));
        }
        Value main = null;
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                main = atK[i];
            }
        }
        StringBuilder checks = new StringBuilder();
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                continue;
            }
            Value v = atK[i];
            if (v == null || !Double.isFinite(v.value())) {
                failed.add("no estimate at k = " + ks[i] + " to check stability");
                continue;
            }
            if (!stable(main, v)) {
                failed.add(String.format(Locale.ROOT, "k = %d gives %.4g against %.4g at k = %d (tolerance %.2g)", ks[i], v.value(),
                        main.value(), k, tolerance(main, v)));
            }
            checks.append(String.format(Locale.ROOT, "; k = %d: %.4g", ks[i], v.value()));
        }
        if (half == null || !Double.isFinite(half.value())) {
            failed.add("too few points for the m/2 check");
        } else {
            if (!stable(main, half)) {
                failed.add(String.format(Locale.ROOT, "m/2 gives %.4g against %.4g at m (tolerance %.2g)", half.value(), main.value(),
                        tolerance(main, half)));
            }
            checks.append(String.format(Locale.ROOT, "; m/2: %.4g", half.value()));
        }
        String head = String.format(Locale.ROOT, "%s at intrinsic dimension %d, m = %d, k = %d", estimator, dim, m, k);
        if (failed.isEmpty()) {
            return new Verdict(true, head + ": passes the dimension rule (D <= " + String.format(Locale.ROOT, "%.1f", maxDim)
                    + ") and the stability checks" + checks);
        }
        return new Verdict(false, head + ": " + String.join("; ", failed));
    }

    /**
     * @param name the derived term
     * @param parts the verdicts of the estimates it is built from, with their names
     * @return reliable when all parts are, with a reason naming the ones that are not
     */
    public static Verdict inherit(String name, List<String> partNames, List<Verdict> parts) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (!parts.get(i).reliable()) {
                bad.add(partNames.get(i));
            }
        }
        if (bad.isEmpty()) {
            return new Verdict(true, name + " is built from " + String.join(", ", partNames) + ", all reliable");
        }
        return new Verdict(false, name + " inherits the flag of " + String.join(", ", bad) + " (k-NN estimates it is built from)");
    }

    private static boolean stable(Value a, Value b) {
        return Math.abs(a.value() - b.value()) <= tolerance(a, b);
    }

    private static double tolerance(Value a, Value b) {
        return Z * Math.sqrt(a.se() * a.se() + b.se() * b.se());
    }
}
