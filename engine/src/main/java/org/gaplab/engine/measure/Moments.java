package org.gaplab.engine.measure;

/**
 * Mean, standard deviations and standard error of host arrays in double precision: gaplab's one
 * copy (the estimators' reliability, the reproductions' summaries over seeds). One rule below two
 * values: a sample standard deviation or standard error of a single value is undefined, so NaN.
 */
public final class Moments {
    private Moments() {}

    /** @return the arithmetic mean (NaN for no values) */
    public static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** @return the unbiased sample variance (n - 1); NaN below two values */
    public static double sampleVariance(double[] a) {
        if (a.length < 2) {
            return Double.NaN;
        }
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return s / (a.length - 1);
    }

    /** @return the sample standard deviation (n - 1); NaN below two values */
    public static double sampleStd(double[] a) {
        return Math.sqrt(sampleVariance(a));
    }

    /** @return the population standard deviation {@code sqrt(mean((x - mean)^2))} (as numpy's std) */
    public static double populationStd(double[] a) {
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / a.length);
    }

    /** @return {@code sampleStd / sqrt(n)}; NaN below two values */
    public static double standardError(double[] a) {
        return sampleStd(a) / Math.sqrt(a.length);
    }
}
