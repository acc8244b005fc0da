package org.gaplab.engine.experiment;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.Arrays;

/**
 * Distribution-free and equivalence tests for the verdicts of docs/theory.md section 8.1: the sign
 * test and the order-statistic interval of a median (robust to the few runs that end in a degenerate
 * basin), two one-sided tests of equivalence with a margin stated in advance, and the weighted
 * least-squares extrapolation of a bias to h = 0.
 */
public final class RobustHypothesisTests {
    private RobustHypothesisTests() {}

    /**
     * The exact sign test of the median of {@code values} against {@code threshold}: values equal to
     * the threshold are dropped.
     *
     * @return one-sided p-values: {@code pExpected} for "median above" with INCREASING, "below" with DECREASING
     */
    public static HypothesisTests.Tested signTest(double[] values, double threshold, HypothesisTests.Direction direction) {
        int above = 0;
        int below = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v != threshold) {
                if (v > threshold) {
                    above++;
                } else {
                    below++;
                }
            }
        }
        int n = above + below;
        if (n == 0) {
            return new HypothesisTests.Tested(1, 1);
        }
        BinomialDistribution b = new BinomialDistribution(null, n, 0.5);
        double pUp = 1 - b.cumulativeProbability(above - 1);      // P(X >= above)
        double pDown = 1 - b.cumulativeProbability(below - 1);    // P(X >= below)
        return direction == HypothesisTests.Direction.INCREASING ? new HypothesisTests.Tested(pUp, pDown) : new HypothesisTests.Tested(pDown, pUp);
    }

    /**
     * A median with its distribution-free interval: {@code [x_(k), x_(n+1-k)]} for the largest k with
     * {@code P(Binomial(n, 1/2) < k) <= ALPHA}, which covers the median with probability at least
     * {@code 1 - 2 ALPHA}.
     *
     * @param median the sample median
     * @param lo lower end (NaN when n is too small for any interval: n < 5)
     * @param hi upper end
     * @param n finite values used
     */
    public record MedianCi(double median, double lo, double hi, int n) {
        /** @return "median m, 90% CI [lo, hi] (n = ...)" */
        public String text(int digits) {
            return "median " + Outputs.f(median, digits) + (Double.isNaN(lo) ? " (too few values for a 90% interval)"
                    : ", 90% CI [" + Outputs.f(lo, digits) + ", " + Outputs.f(hi, digits) + "]") + " (n = " + n + ")";
        }
    }

    /** @return the median of the finite values with its order-statistic interval */
    public static MedianCi medianCi(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        int n = v.length;
        if (n == 0) {
            return new MedianCi(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        BinomialDistribution b = new BinomialDistribution(null, n, 0.5);
        int k = 0;
        while (k + 1 <= n / 2 && b.cumulativeProbability(k) <= HypothesisTests.ALPHA) {
            k++;     // P(X <= k - 1) = P(X < k) <= ALPHA for the new k
        }
        if (k == 0) {
            return new MedianCi(median, Double.NaN, Double.NaN, n);
        }
        return new MedianCi(median, v[k - 1], v[n - k], n);
    }

    /**
     * Two one-sided sign tests of "the median lies within (-margin, margin)".
     *
     * @param pEquivalent the larger of the two one-sided p-values (small: equivalent)
     * @param pBeyond the one-sided p-value of "the median lies beyond the margin" on the side of the sample median
     */
    public record Equivalence(double pEquivalent, double pBeyond) {}

    /** @return the sign-test TOST of the median of {@code d} within (-margin, margin) */
    public static Equivalence signEquivalence(double[] d, double margin) {
        HypothesisTests.Tested lower = signTest(d, -margin, HypothesisTests.Direction.INCREASING);
        HypothesisTests.Tested upper = signTest(d, margin, HypothesisTests.Direction.DECREASING);
        double med = medianCi(d).median();
        double beyond = med >= 0 ? upper.pOpposite() : lower.pOpposite();
        return new Equivalence(Math.max(lower.pExpected(), upper.pExpected()), beyond);
    }

    /**
     * Two one-sided t-tests of "the true value of {@code estimate} lies within (-margin, margin)".
     *
     * @param estimate the estimate
     * @param se its standard error
     * @param df degrees of freedom of the t reference (at least 1)
     * @param margin the margin
     * @return the TOST p-value and the one-sided p of "beyond the margin" on the estimate's side; both 1 when se is not positive
     */
    public static Equivalence tEquivalence(double estimate, double se, int df, double margin) {
        if (!(se > 0) || df < 1 || !Double.isFinite(estimate)) {
            return new Equivalence(1, 1);
        }
        TDistribution t = new TDistribution(null, df);
        double pLower = 1 - t.cumulativeProbability((estimate + margin) / se);   // H0: value <= -margin
        double pUpper = t.cumulativeProbability((estimate - margin) / se);       // H0: value >= margin
        double beyond = estimate >= 0 ? 1 - t.cumulativeProbability((estimate - margin) / se)
                : t.cumulativeProbability((estimate + margin) / se);
        return new Equivalence(Math.max(pLower, pUpper), beyond);
    }

    /** @return the half-width of the two-sided {@code 1 - 2 ALPHA} t-interval of an estimate with this se and df */
    public static double tHalfWidth(double se, int df) {
        if (df < 1 || !(se >= 0)) {
            return Double.NaN;
        }
        return new TDistribution(null, df).inverseCumulativeProbability(1 - HypothesisTests.ALPHA) * se;
    }

    /**
     * Weighted least-squares fit {@code y = a + b x} with weights {@code 1 / se^2} and known standard
     * errors (the covariance of (a, b) is the inverse of the weighted normal matrix).
     *
     * @param a intercept (the value extrapolated to x = 0)
     * @param seA its standard error
     * @param b slope
     * @param seB its standard error
     */
    public record Line(double a, double seA, double b, double seB) {}

    /** @return the weighted fit; NaN everywhere with fewer than two points of positive se */
    public static Line weightedLine(double[] x, double[] y, double[] se) {
        double s = 0;
        double sx = 0;
        double sxx = 0;
        double sy = 0;
        double sxy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(se[i] > 0) || !Double.isFinite(y[i])) {
                continue;
            }
            double w = 1 / (se[i] * se[i]);
            s += w;
            sx += w * x[i];
            sxx += w * x[i] * x[i];
            sy += w * y[i];
            sxy += w * x[i] * y[i];
            n++;
        }
        double det = s * sxx - sx * sx;
        if (n < 2 || !(det > 0)) {
            return new Line(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double a = (sxx * sy - sx * sxy) / det;
        double b = (s * sxy - sx * sy) / det;
        return new Line(a, Math.sqrt(sxx / det), b, Math.sqrt(s / det));
    }
}
