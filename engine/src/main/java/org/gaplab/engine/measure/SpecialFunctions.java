package org.gaplab.engine.measure;

/**
 * The special functions the estimators need, in log space where the values over- or underflow
 * (sphere areas and cap areas in high dimension, Bessel functions at small temperature).
 */
public final class SpecialFunctions {
    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7};

    private SpecialFunctions() {}

    /** {@code ln Gamma(x)} for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
    public static double logGamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
        }
        if (x < 0.5) {
            // reflection keeps the series in its accurate range
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double z = x - 1;
        double a = LANCZOS[0];
        double t = z + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            a += LANCZOS[i] / (z + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** The digamma function {@code psi(x) = d/dx ln Gamma(x)} for x > 0. */
    public static double digamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("digamma needs x > 0, got " + x);
        }
        double shift = 0;
        while (x < 6) {
            shift -= 1 / x; // psi(x) = psi(x + 1) - 1/x
            x += 1;
        }
        double inv2 = 1 / (x * x);
        return shift + Math.log(x) - 0.5 / x
                - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))));
    }

    /**
     * Log surface area of the unit sphere {@code S^k} in {@code R^(k+1)}:
     * {@code |S^k| = 2 pi^((k+1)/2) / Gamma((k+1)/2)} ({@code |S^0| = 2} points, {@code |S^1| = 2 pi},
     * {@code |S^2| = 4 pi}).
     */
    public static double logSphereArea(int k) {
        return Math.log(2) + 0.5 * (k + 1) * Math.log(Math.PI) - logGamma(0.5 * (k + 1));
    }

    /** Log volume of the unit ball in {@code R^p}: {@code pi^(p/2) / Gamma(p/2 + 1)}. */
    public static double logUnitBallVolume(int p) {
        return 0.5 * p * Math.log(Math.PI) - logGamma(0.5 * p + 1);
    }

    /**
     * Log area of a geodesic ball (spherical cap) of radius r on the unit sphere {@code S^p}:
     * <pre>
     *   A_p(r) = |S^(p-1)| int_0^r sin^(p-1)(t) dt
     *          = |S^(p-1)| B(p/2, 1/2) * { I_x(p/2, 1/2) / 2        if r <= pi/2
     *                                    { 1 - I_x(p/2, 1/2) / 2    otherwise,    x = sin^2 r,
     * </pre>
     * with I the regularised incomplete beta function. {@code A_1(r) = 2r},
     * {@code A_2(r) = 2 pi (1 - cos r)}, {@code A_p(pi) = |S^p|}. Exact for every radius, which is
     * why the k-NN estimators use it instead of the flat approximation {@code c_p r^p}.
     *
     * @param p intrinsic dimension of the sphere (>= 1)
     * @param r geodesic radius in [0, pi]
     * @return {@code ln A_p(r)} ({@code -Infinity} at r = 0)
     */
    public static double logCapArea(int p, double r) {
        if (p < 1) {
            throw new IllegalArgumentException("sphere dimension must be >= 1, got " + p);
        }
        if (r <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        r = Math.min(r, Math.PI);
        if (p == 1) {
            return Math.log(2 * r);
        }
        double a = 0.5 * p;
        double b = 0.5;
        double logB = logGamma(a) + logGamma(b) - logGamma(a + b);
        double base = logSphereArea(p - 1) + logB;
        double s = Math.sin(r);
        double x = s * s;
        double logI = logRegularizedBeta(x, a, b);
        if (r <= Math.PI / 2) {
            return base + logI - Math.log(2);
        }
        return base + Math.log1p(-0.5 * Math.exp(logI));
    }

    /**
     * {@code ln I_x(a, b)}, the log regularised incomplete beta function, by Lentz's continued
     * fraction (on the side of the symmetry {@code I_x(a,b) = 1 - I_(1-x)(b,a)} where it converges
     * fast). Accurate where {@code I} underflows a double.
     */
    public static double logRegularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (x >= 1) {
            return 0;
        }
        double logFront = a * Math.log(x) + b * Math.log1p(-x) - (logGamma(a) + logGamma(b) - logGamma(a + b));
        if (x < (a + 1) / (a + b + 2)) {
            return logFront + Math.log(betaContinuedFraction(x, a, b)) - Math.log(a);
        }
        double other = Math.exp(logFront) * betaContinuedFraction(1 - x, b, a) / b;
        return Math.log1p(-other);
    }

    private static double betaContinuedFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        d = Math.abs(d) < tiny ? tiny : d;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                return h;
            }
        }
        return h;
    }

    /**
     * The exponentially scaled modified Bessel function of integer order,
     * {@code e^(-x) I_n(x) = (1/pi) int_0^pi e^(x (cos t - 1)) cos(n t) dt}, by the trapezoid rule
     * on a fine grid (spectrally accurate for this periodic integrand).
     *
     * @param n order (>= 0)
     * @param x argument (>= 0)
     * @return {@code e^(-x) I_n(x)}
     */
    public static double besselIScaled(int n, double x) {
        int steps = 20_000;
        double h = Math.PI / steps;
        double sum = 0;
        for (int i = 0; i <= steps; i++) {
            double t = i * h;
            double w = (i == 0 || i == steps) ? 0.5 : 1;
            sum += w * Math.exp(x * (Math.cos(t) - 1)) * Math.cos(n * t);
        }
        return sum * h / Math.PI;
    }
}
