package org.gaplab.engine.experiment;

/** Fits and table columns over seeds, in double precision on the host (means and errors: {@link org.gaplab.engine.measure.Moments}). */
public final class Stats {
    private Stats() {}

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
