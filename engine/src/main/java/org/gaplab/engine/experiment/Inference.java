package org.gaplab.engine.experiment;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The hypothesis tests behind the reproductions' verdicts (docs/theory.md, "Verdicts"). Every
 * claim is decided by a one-sided test at level {@link #ALPHA} in the direction the paper states:
 * SUPPORTED when it rejects "no effect" in that direction, NOT SUPPORTED when the same test in the
 * opposite direction rejects (or when a goodness-of-fit test rejects agreement), INCONCLUSIVE
 * otherwise. Distributions come from Apache Commons Math; the rank tests use a fixed-seed Monte
 * Carlo permutation, so a verdict is a deterministic function of the numbers it is given.
 */
public final class Inference {
    /** The level of every test. */
    public static final double ALPHA = 0.05;
    /** Permutations drawn by the rank trend test (p-values resolve to about 1e-4). */
    static final int PERMUTATIONS = 9_999;
    /** Runs from which the trend test uses the normal approximation of Kendall's S. */
    static final int ASYMPTOTIC_N = 30;
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private Inference() {}

    /** Direction a claim predicts. */
    public enum Direction {
        /** y grows with x (or the first sample is larger). */
        INCREASING,
        /** y falls as x grows (or the first sample is smaller). */
        DECREASING;

        int sign() {
            return this == INCREASING ? 1 : -1;
        }
    }

    /**
     * Outcome of a one-sided test pair.
     *
     * @param pExpected p-value against "no effect" in the predicted direction
     * @param pOpposite p-value against "no effect" in the opposite direction
     */
    public record Tested(double pExpected, double pOpposite) {
        /** @return SUPPORTED, NOT SUPPORTED or INCONCLUSIVE at {@link #ALPHA} */
        public Claim.Verdict verdict() {
            if (pExpected < ALPHA) {
                return Claim.Verdict.SUPPORTED;
            }
            return pOpposite < ALPHA ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE;
        }
    }

    /**
     * Kendall's rank correlation of per-run values against a setting, with one-sided p-values: by
     * permutation below {@link #ASYMPTOTIC_N} runs (ties handled by the permutation itself), from the
     * normal law of Kendall's S with the tie-corrected variance at and above it.
     *
     * @param tau Kendall's tau-b
     * @param test the one-sided p-values for the predicted direction and its opposite
     * @param n the number of runs
     */
    public record Trend(double tau, Tested test, int n) {}

    /**
     * Tests whether {@code y} trends with {@code x} in {@code direction}.
     *
     * @param x the setting of each run (e.g. p, sigma, tau)
     * @param y the per-run value
     * @param direction the predicted direction
     * @return tau-b and permutation p-values; both p = 1 with fewer than 3 finite runs
     */
    public static Trend kendall(double[] x, double[] y, Direction direction) {
        double[][] xy = finite(x, y);
        double[] xs = xy[0];
        double[] ys = xy[1];
        int n = xs.length;
        if (n < 3) {
            return new Trend(Double.NaN, new Tested(1, 1), n);
        }
        double s = kendallS(xs, ys);
        double tau = tauB(xs, ys, s);
        if (n >= ASYMPTOTIC_N) {
            double sd = Math.sqrt(kendallVariance(xs, ys));
            double pUp = sd == 0 ? 1 : 1 - NORMAL.cumulativeProbability(s / sd);
            double pDown = sd == 0 ? 1 : NORMAL.cumulativeProbability(s / sd);
            return new Trend(tau, direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp), n);
        }
        SplittableRandom rng = new SplittableRandom(0x9e3779b97f4a7c15L);
        double[] perm = ys.clone();
        int up = 0;
        int down = 0;
        for (int b = 0; b < PERMUTATIONS; b++) {
            shuffle(perm, rng);
            double sb = kendallS(xs, perm);
            up += sb >= s ? 1 : 0;
            down += sb <= s ? 1 : 0;
        }
        double pUp = (1.0 + up) / (1.0 + PERMUTATIONS);
        double pDown = (1.0 + down) / (1.0 + PERMUTATIONS);
        return new Trend(tau, direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp), n);
    }

    /**
     * Wilcoxon's signed-rank test of paired samples (a_i, b_i), one-sided by permutation of the
     * signs of the ranked differences (zero differences dropped, ties given average ranks).
     *
     * @param a first member of each pair
     * @param b second member
     * @param direction INCREASING: the claim is "a tends to exceed b"
     * @return one-sided p-values for the claim and its opposite; both 1 with fewer than 2 non-zero differences
     */
    public static Tested signedRank(double[] a, double[] b, Direction direction) {
        int n = 0;
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - b[i];
            if (Double.isFinite(x) && x != 0) {
                d[n++] = x;
            }
        }
        if (n < 2) {
            return new Tested(1, 1);
        }
        double[] abs = new double[n];
        for (int i = 0; i < n; i++) {
            abs[i] = Math.abs(d[i]);
        }
        double[] rank = averageRanks(abs);
        double w = 0;
        for (int i = 0; i < n; i++) {
            w += d[i] > 0 ? rank[i] : 0;
        }
        SplittableRandom rng = new SplittableRandom(0x5851f42d4c957f2dL);
        int up = 0;
        int down = 0;
        for (int b2 = 0; b2 < PERMUTATIONS; b2++) {
            double wb = 0;
            for (int i = 0; i < n; i++) {
                wb += rng.nextBoolean() ? rank[i] : 0;
            }
            up += wb >= w ? 1 : 0;
            down += wb <= w ? 1 : 0;
        }
        double pUp = (1.0 + up) / (1.0 + PERMUTATIONS);
        double pDown = (1.0 + down) / (1.0 + PERMUTATIONS);
        return direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp);
    }

    /** @return the ranks 1..n of {@code v}, ties sharing their average rank */
    static double[] averageRanks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[n];
        for (int i = 0; i < n;) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        return r;
    }

    /**
     * Least-squares slope of y on x with its confidence interval and the power of the slope's
     * one-sided t-test at the observed slope.
     *
     * @param slope the slope
     * @param lo lower end of the two-sided {@code 1 - 2 ALPHA} interval (the one-sided test's bound)
     * @param hi upper end
     * @param se its standard error
     * @param power probability that a repeat of this design detects a slope of the observed size
     * @param runsFor80 runs needed (same design, scaled) for 80% power at the observed slope
     */
    public record Slope(double slope, double lo, double hi, double se, double power, double runsFor80) {}

    /** @return the least-squares slope of {@code y} on {@code x} with interval and power */
    public static Slope slope(double[] x, double[] y) {
        double[][] xy = finite(x, y);
        double[] xs = xy[0];
        double[] ys = xy[1];
        int n = xs.length;
        if (n < 3) {
            return new Slope(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mx = Stats.mean(xs);
        double my = Stats.mean(ys);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (xs[i] - mx) * (xs[i] - mx);
            sxy += (xs[i] - mx) * (ys[i] - my);
        }
        if (sxx == 0) {
            return new Slope(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double b = sxy / sxx;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = ys[i] - my - b * (xs[i] - mx);
            rss += r * r;
        }
        double se = Math.sqrt(rss / (n - 2) / sxx);
        double t = new TDistribution(null, n - 2).inverseCumulativeProbability(1 - ALPHA);
        double z = NORMAL.inverseCumulativeProbability(1 - ALPHA);
        double power = se == 0 ? 1 : NORMAL.cumulativeProbability(Math.abs(b) / se - z);
        double zPower = NORMAL.inverseCumulativeProbability(0.8);
        double runs = se == 0 || b == 0 ? Double.POSITIVE_INFINITY
                : n * Math.pow((z + zPower) * se / Math.abs(b), 2);
        return new Slope(b, b - t * se, b + t * se, se, power, runs);
    }

    /**
     * Welch's two-sample comparison of means.
     *
     * @param difference mean(a) - mean(b)
     * @param lo lower end of its two-sided {@code 1 - 2 ALPHA} interval
     * @param hi upper end
     * @param test one-sided p-values; the predicted direction is "a larger" for INCREASING
     */
    public record Welch(double difference, double lo, double hi, Tested test) {}

    /** @return Welch's test of mean(a) against mean(b) in {@code direction} ("a larger" = INCREASING) */
    public static Welch welch(double[] a, double[] b, Direction direction) {
        a = finite(a);
        b = finite(b);
        if (a.length < 2 || b.length < 2) {
            double d = a.length > 0 && b.length > 0 ? Stats.mean(a) - Stats.mean(b) : Double.NaN;
            return new Welch(d, Double.NaN, Double.NaN, new Tested(1, 1));
        }
        double va = sampleVar(a) / a.length;
        double vb = sampleVar(b) / b.length;
        double d = Stats.mean(a) - Stats.mean(b);
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            Tested t = d == 0 ? new Tested(1, 1) : d > 0 ? new Tested(0, 1) : new Tested(1, 0);
            return new Welch(d, d, d, direction == Direction.INCREASING ? t : new Tested(t.pOpposite(), t.pExpected()));
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        TDistribution dist = new TDistribution(null, df);
        double t = d / se;
        double pUp = 1 - dist.cumulativeProbability(t);
        double pDown = dist.cumulativeProbability(t);
        double q = dist.inverseCumulativeProbability(1 - ALPHA);
        return new Welch(d, d - q * se, d + q * se,
                direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp));
    }

    /**
     * One-sample t-test of a mean against a threshold.
     *
     * @param values per-run values
     * @param threshold the value the claim compares with
     * @param direction INCREASING: the claim is "mean above threshold"
     * @return one-sided p-values for the claim and its opposite
     */
    public static Tested againstThreshold(double[] values, double threshold, Direction direction) {
        double[] v = finite(values);
        if (v.length < 2) {
            return new Tested(1, 1);
        }
        double m = Stats.mean(v);
        double se = Math.sqrt(sampleVar(v) / v.length);
        if (se == 0) {
            Tested t = m == threshold ? new Tested(1, 1) : m > threshold ? new Tested(0, 1) : new Tested(1, 0);
            return direction == Direction.INCREASING ? t : new Tested(t.pOpposite(), t.pExpected());
        }
        TDistribution dist = new TDistribution(null, v.length - 1);
        double t = (m - threshold) / se;
        double pUp = 1 - dist.cumulativeProbability(t);
        double pDown = dist.cumulativeProbability(t);
        return direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp);
    }

    /**
     * Joint goodness of fit of several estimates to reference values:
     * {@code X^2 = sum ((estimate - reference) / se)^2} against chi-square with one degree of
     * freedom per estimate.
     *
     * @param estimate the estimates
     * @param reference the values they should match
     * @param se the standard error of each difference (estimate and reference uncertainty combined)
     * @return the upper-tail p-value (small: the estimates do not match)
     */
    public static double chiSquareAgreement(double[] estimate, double[] reference, double[] se) {
        double x2 = 0;
        int k = 0;
        for (int i = 0; i < estimate.length; i++) {
            if (!Double.isFinite(estimate[i]) || !(se[i] > 0)) {
                continue;
            }
            double z = (estimate[i] - reference[i]) / se[i];
            x2 += z * z;
            k++;
        }
        return k == 0 ? 1 : 1 - new ChiSquaredDistribution(null, k).cumulativeProbability(x2);
    }

    /**
     * Holm's step-down adjustment of p-values (family-wise error at the same level).
     *
     * @param p raw p-values
     * @return adjusted p-values, in the same order
     */
    public static double[] holm(double[] p) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        double[] out = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++) {
            running = Math.max(running, Math.min(1, (m - r) * p[order[r]]));
            out[order[r]] = running;
        }
        return out;
    }

    /**
     * A claim that per-run values trend with a setting, decided by {@link #kendall} and described
     * with the least-squares slope, its interval and the design's power at that slope.
     *
     * @param statement the claim
     * @param source where the paper states it
     * @param what the per-run value, as the evidence names it
     * @param setting the setting's symbol
     * @param x the setting per run
     * @param y the value per run
     * @param direction the predicted direction
     * @return the decided claim
     */
    public static Claim trendClaim(String statement, String source, String what, String setting, double[] x, double[] y,
            Direction direction) {
        Trend t = kendall(x, y, direction);
        Slope s = slope(x, y);
        String criterion = "Kendall's tau of the per-run " + what + " against " + setting + " over all runs, one-sided permutation test ("
                + (direction == Direction.INCREASING ? "increasing" : "decreasing") + ") at level " + ALPHA;
        String evidence = String.format(java.util.Locale.ROOT,
                "tau_b = %.3f over %d runs, p = %s (opposite direction p = %s); slope %.4g per unit %s, %.0f%% CI [%.4g, %.4g]; "
                        + "power at the observed slope %.2f (about %.0f runs for 80%%)",
                t.tau(), t.n(), p(t.test().pExpected()), p(t.test().pOpposite()), s.slope(), setting, 100 * (1 - 2 * ALPHA),
                s.lo(), s.hi(), s.power(), Math.min(1e6, Math.ceil(s.runsFor80())));
        return new Claim(statement, source, criterion, t.test().verdict(), evidence);
    }

    /** @return the unbiased sample variance */
    static double sampleVar(double[] x) {
        double m = Stats.mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return s / (x.length - 1);
    }

    /** @return a p-value as text: three significant digits, or a bound at the permutation resolution */
    public static String p(double p) {
        if (p < 1.0 / PERMUTATIONS) {
            return String.format(java.util.Locale.ROOT, "< %.0e", 1.0 / PERMUTATIONS);
        }
        return String.format(java.util.Locale.ROOT, p < 0.001 ? "%.1e" : "%.3f", p);
    }

    private static double kendallS(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                s += Math.signum(x[j] - x[i]) * Math.signum(y[j] - y[i]);
            }
        }
        return s;
    }

    /** Variance of Kendall's S under independence, corrected for ties in both variables. */
    static double kendallVariance(double[] x, double[] y) {
        double n = x.length;
        double[] tx = tieSums(x);
        double[] ty = tieSums(y);
        return (n * (n - 1) * (2 * n + 5) - tx[0] - ty[0]) / 18
                + tx[1] * ty[1] / (9 * n * (n - 1) * (n - 2))
                + tx[2] * ty[2] / (2 * n * (n - 1));
    }

    /** @return over groups of t tied values: sums of t(t-1)(2t+5), t(t-1)(t-2) and t(t-1) */
    private static double[] tieSums(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double[] out = new double[3];
        for (int i = 0; i < sorted.length;) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[i]) {
                j++;
            }
            double t = j - i + 1;
            out[0] += t * (t - 1) * (2 * t + 5);
            out[1] += t * (t - 1) * (t - 2);
            out[2] += t * (t - 1);
            i = j + 1;
        }
        return out;
    }

    private static double tauB(double[] x, double[] y, double s) {
        double tx = 0;
        double ty = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                tx += x[i] != x[j] ? 1 : 0;
                ty += y[i] != y[j] ? 1 : 0;
            }
        }
        return tx == 0 || ty == 0 ? Double.NaN : s / Math.sqrt(tx * ty);
    }

    private static void shuffle(double[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            n += Double.isFinite(x[i]) && Double.isFinite(y[i]) ? 1 : 0;
        }
        double[][] out = new double[2][n];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                out[0][k] = x[i];
                out[1][k++] = y[i];
            }
        }
        return out;
    }
}
