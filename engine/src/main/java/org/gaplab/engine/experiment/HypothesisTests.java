package org.gaplab.engine.experiment;

import org.gaplab.engine.measure.Moments;

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
 * otherwise. Distributions come from Apache Commons Math; the signed-rank test uses a fixed-seed
 * Monte Carlo permutation of signs, so a verdict is a deterministic function of the numbers it is
 * given. Seeds are the unit of replication: a run's seed is shared across the settings of a sweep
 * (same initialisation, same data streams), so trends are tested across seeds, not across runs.
 */
public final class HypothesisTests {
    /** The level of every test. */
    public static final double ALPHA = 0.05;
    /** Sign permutations drawn by the signed-rank test (p-values resolve to about 1e-4). */
    static final int PERMUTATIONS = 9_999;
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private HypothesisTests() {}

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
     * A trend tested across seeds: within each seed, Kendall's tau-b of the values against the
     * setting and the least-squares slope; across seeds, Wilcoxon's signed-rank test of the taus
     * against 0 (one-sided), and the mean slope with its t interval.
     *
     * @param tau per seed, Kendall's tau-b (seeds with fewer than two settings or constant values are left out)
     * @param agreeing seeds whose tau has the predicted sign
     * @param test the one-sided p-values across seeds
     * @param slope mean over seeds of the per-seed slope
     * @param lo lower end of its two-sided {@code 1 - 2 ALPHA} interval over seeds
     * @param hi upper end
     */
    public record Trend(double[] tau, int agreeing, Tested test, double slope, double lo, double hi) {
        /** @return the smallest one-sided p-value the signed-rank test can reach with these seeds */
        public double smallestP() {
            return Math.pow(0.5, tau.length);
        }
    }

    /**
     * Tests whether {@code y} trends with {@code x} in {@code direction}, with seeds as the unit of
     * replication.
     *
     * @param x the setting of each run (e.g. p, sigma, tau)
     * @param y the per-run value
     * @param seed the seed of each run (runs of one seed share its initialisation and streams)
     * @param direction the predicted direction
     * @return the per-seed taus, the test across seeds and the mean per-seed slope
     */
    public static Trend trend(double[] x, double[] y, long[] seed, Direction direction) {
        java.util.Map<Long, java.util.List<Integer>> bySeed = new java.util.TreeMap<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                bySeed.computeIfAbsent(seed[i], k -> new java.util.ArrayList<>()).add(i);
            }
        }
        java.util.List<Double> taus = new java.util.ArrayList<>();
        java.util.List<Double> slopes = new java.util.ArrayList<>();
        for (java.util.List<Integer> idx : bySeed.values()) {
            double[] xs = idx.stream().mapToDouble(i -> x[i]).toArray();
            double[] ys = idx.stream().mapToDouble(i -> y[i]).toArray();
            double t = kendallTau(xs, ys);
            double b = slope(xs, ys);
            if (Double.isFinite(t) && Double.isFinite(b)) {
                taus.add(t);
                slopes.add(b);
            }
        }
        double[] tau = taus.stream().mapToDouble(Double::doubleValue).toArray();
        double[] slope = slopes.stream().mapToDouble(Double::doubleValue).toArray();
        int agreeing = (int) taus.stream().filter(t -> t * direction.sign() > 0).count();
        Tested test = signedRank(tau, new double[tau.length], direction);
        double mean = slope.length == 0 ? Double.NaN : Moments.mean(slope);
        double half = Double.NaN;
        if (slope.length >= 2) {
            double q = new TDistribution(null, slope.length - 1).inverseCumulativeProbability(1 - ALPHA);
            half = q * Math.sqrt(Moments.sampleVariance(slope) / slope.length);
        }
        return new Trend(tau, agreeing, test, mean, mean - half, mean + half);
    }

    /** @return the least-squares slope of y on x within each seed (seeds with a constant x or non-finite values left out) */
    public static double[] perSeedSlopes(double[] x, double[] y, long[] seed) {
        java.util.Map<Long, java.util.List<Integer>> bySeed = new java.util.TreeMap<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                bySeed.computeIfAbsent(seed[i], k -> new java.util.ArrayList<>()).add(i);
            }
        }
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (java.util.List<Integer> idx : bySeed.values()) {
            double b = slope(idx.stream().mapToDouble(i -> x[i]).toArray(), idx.stream().mapToDouble(i -> y[i]).toArray());
            if (Double.isFinite(b)) {
                out.add(b);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** @return the least-squares slope of {@code y} on {@code x}; NaN when x is constant */
    static double slope(double[] x, double[] y) {
        double mx = Moments.mean(x);
        double my = Moments.mean(y);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
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
            double d = a.length > 0 && b.length > 0 ? Moments.mean(a) - Moments.mean(b) : Double.NaN;
            return new Welch(d, Double.NaN, Double.NaN, new Tested(1, 1));
        }
        double va = Moments.sampleVariance(a) / a.length;
        double vb = Moments.sampleVariance(b) / b.length;
        double d = Moments.mean(a) - Moments.mean(b);
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            // identical values on both sides leave no estimate of the uncertainty: nothing to decide with
            return new Welch(d, Double.NaN, Double.NaN, new Tested(1, 1));
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
        double m = Moments.mean(v);
        double se = Math.sqrt(Moments.sampleVariance(v) / v.length);
        if (se == 0) {
            // identical values leave no estimate of the uncertainty: nothing to decide with
            return new Tested(1, 1);
        }
        TDistribution dist = new TDistribution(null, v.length - 1);
        double t = (m - threshold) / se;
        double pUp = 1 - dist.cumulativeProbability(t);
        double pDown = dist.cumulativeProbability(t);
        return direction == Direction.INCREASING ? new Tested(pUp, pDown) : new Tested(pDown, pUp);
    }

    /**
     * Joint goodness of fit of several estimates to reference values. Each estimate is a mean over
     * {@code n} seeds, so {@code t_i = (estimate_i - reference_i) / se_i} follows Student's t with
     * {@code n - 1} degrees of freedom under agreement; each t is mapped to the normal quantile of
     * the same two-sided tail, and {@code sum z_i^2} is referred to chi-square with one degree of
     * freedom per estimate (so the test holds its level with few seeds too).
     *
     * @param estimate the estimates
     * @param reference the values they should match
     * @param se the standard error of each difference (estimate and reference uncertainty combined)
     * @param seeds the seeds behind each estimate (at least 2)
     * @return the upper-tail p-value (small: the estimates do not match); 1 when nothing can be tested
     */
    public static double chiSquareAgreement(double[] estimate, double[] reference, double[] se, int seeds) {
        if (seeds < 2) {
            return 1;
        }
        TDistribution t = new TDistribution(null, seeds - 1);
        double x2 = 0;
        int k = 0;
        for (int i = 0; i < estimate.length; i++) {
            if (!Double.isFinite(estimate[i]) || !(se[i] > 0)) {
                continue;
            }
            double ti = Math.abs((estimate[i] - reference[i]) / se[i]);
            // Commons Math's continued fraction fails for huge |t|; such a t lies far past any level
            double tail = ti > 1e6 ? 0 : t.cumulativeProbability(-ti);
            // tails below 1e-16 are held there (z about -8.2): Commons Math's normal quantile is -infinity below ~1e-300,
            // and a z of -8 already rejects at any level used here
            double z = NORMAL.inverseCumulativeProbability(Math.max(tail, 1e-16));
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
     * A claim that per-run values trend with a setting, decided by {@link #trend} across seeds.
     *
     * @param statement the claim
     * @param source where the paper states it
     * @param what the per-run value, as the evidence names it
     * @param setting the setting's symbol
     * @param x the setting per run
     * @param y the value per run
     * @param seed the seed per run
     * @param direction the predicted direction
     * @return the decided claim
     */
    public static Claim trendClaim(String statement, String source, String what, String setting, double[] x, double[] y,
            long[] seed, Direction direction) {
        return trendClaim(statement, source, what, setting, x, y, seed, direction, null);
    }

    /**
     * {@link #trendClaim(String, String, String, String, double[], double[], long[], Direction)} whose evidence also gives the
     * median per-seed slope with its distribution-free 90% interval (docs/theory.md section 8.1) and, when
     * {@code flagged} marks runs (degenerate basins, unconverged runs), the same trend with them left out. The
     * verdict is decided on every run given.
     *
     * @param flagged per run, whether it is flagged; null for none
     */
    public static Claim trendClaim(String statement, String source, String what, String setting, double[] x, double[] y,
            long[] seed, Direction direction, boolean[] flagged) {
        Trend t = trend(x, y, seed, direction);
        String criterion = "within each seed, Kendall's tau of the " + what + " against " + setting + "; across seeds, Wilcoxon's "
                + "signed-rank test of the taus against 0, one-sided (" + (direction == Direction.INCREASING ? "increasing" : "decreasing")
                + "), level " + ALPHA;
        String evidence = String.format(java.util.Locale.ROOT,
                "%d of %d seeds trend the predicted way (median tau %.3f), p = %s (opposite direction p = %s); mean per-seed slope "
                        + "%.4g per unit %s, %.0f%% t-interval over seeds [%.4g, %.4g]",
                t.agreeing(), t.tau().length, t.tau().length == 0 ? Double.NaN : median(t.tau()), p(t.test().pExpected()),
                p(t.test().pOpposite()), t.slope(), setting, 100 * (1 - 2 * ALPHA), t.lo(), t.hi());
        evidence += "; per-seed slope " + RobustHypothesisTests.medianCi(perSeedSlopes(x, y, seed)).text(4)
                + " (distribution-free; the mean is pulled by the few extreme seeds)";
        if (flagged != null) {
            int n = 0;
            double[] xk = new double[x.length];
            double[] yk = new double[x.length];
            long[] sk = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                if (!flagged[i]) {
                    xk[n] = x[i];
                    yk[n] = y[i];
                    sk[n++] = seed[i];
                }
            }
            xk = Arrays.copyOf(xk, n);
            yk = Arrays.copyOf(yk, n);
            sk = Arrays.copyOf(sk, n);
            Trend kept = trend(xk, yk, sk, direction);
            evidence += String.format(java.util.Locale.ROOT, "; with the %d flagged runs (degenerate basin or unconverged) left out: "
                    + "%d of %d seeds trend the predicted way, p = %s, per-seed slope %s, which would read %s", x.length - n,
                    kept.agreeing(), kept.tau().length, p(kept.test().pExpected()), RobustHypothesisTests.medianCi(perSeedSlopes(xk, yk, sk)).text(4),
                    kept.test().verdict().label());
        }
        if (t.smallestP() >= ALPHA) {
            evidence += String.format(java.util.Locale.ROOT, "; with %d seeds the test cannot reach p < %s (smallest attainable p %.3f)",
                    t.tau().length, ALPHA, t.smallestP());
        }
        return new Claim(statement, source, criterion, t.test().verdict(), evidence);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** @return a p-value as text: three decimals, two significant digits below 0.001, a bound below 1e-16 */
    public static String p(double p) {
        if (p < 1e-16) {
            // double precision cannot resolve it (the chi-square tail underflows to 0): print a bound, not "0.0e+00"
            return "< 1e-16";
        }
        return String.format(java.util.Locale.ROOT, p < 0.001 ? "%.1e" : "%.3f", p);
    }

    /** @return Kendall's tau-b of {@code y} against {@code x}; NaN when either is constant */
    static double kendallTau(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                s += Math.signum(x[j] - x[i]) * Math.signum(y[j] - y[i]);
            }
        }
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

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }
}
