package org.gaplab.engine.experiment;

/** Small descriptive statistics over seeds, in double precision on the host. */
public final class Stats {
    private Stats() {}

    /** @return the arithmetic mean */
    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** @return the population standard deviation {@code sqrt(mean((x - mean)^2))} (as numpy's std) */
    public static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    /** @return the standard error of the mean, {@code std_sample / sqrt(n)}; 0 for one value */
    public static double sem(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        return std(x) * Math.sqrt(x.length / (x.length - 1.0)) / Math.sqrt(x.length);
    }

    /**
     * Least-squares slope of {@code log y} against {@code log x}.
     *
     * @return the fitted exponent a in {@code y ~ c x^a}
     */
    public static double logLogSlope(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += Math.log(x[i]) / n;
            my += Math.log(y[i]) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            double dx = Math.log(x[i]) - mx;
            sxy += dx * (Math.log(y[i]) - my);
            sxx += dx * dx;
        }
        return sxy / sxx;
    }

    /** @return column {@code j} of a row-major table */
    public static double[] column(double[][] rows, int j) {
        double[] c = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            c[i] = rows[i][j];
        }
        return c;
    }
}
