package org.gaplab.engine.measure;

/** Mean, sample standard deviation and standard error of host arrays: the measure package's one copy. */
final class Moments {
    private Moments() {}

    /** @return the arithmetic mean (NaN for no values) */
    static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** @return the sample standard deviation (n - 1); NaN below two values */
    static double sampleStd(double[] a) {
        if (a.length < 2) {
            return Double.NaN;
        }
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }

    /** @return {@code sampleStd / sqrt(n)}; NaN below two values */
    static double standardError(double[] a) {
        return sampleStd(a) / Math.sqrt(a.length);
    }
}
