package org.gaplab.engine.measure;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Eigenvalues of a small real symmetric matrix (d x d moments, host side), and the coordinates of
 * one vector in its eigenbasis, without forming the eigenvectors: Householder reduction to
 * tridiagonal form, then implicit symmetric QR steps with Wilkinson's shift (Golub and Van Loan,
 * Matrix Computations, sections 8.3.1-8.3.3); every reflection and rotation is applied to the
 * vector as well, which costs O(d^2) instead of the O(d^3) of accumulating the eigenvectors.
 *
 * @param values eigenvalues, descending
 * @param coordinates the vector's coordinate on each eigenvector, in the same order (null when
 *     no vector was given)
 */
record SymmetricSpectrum(double[] values, double[] coordinates) {
    /**
     * @param a a symmetric matrix (not modified)
     * @param u a vector, or null
     * @return the spectrum
     * @throws IllegalArgumentException when the QR iteration does not converge (not seen in practice)
     */
    static SymmetricSpectrum of(double[][] a, double[] u) {
        int n = a.length;
        double[][] t = new double[n][];
        for (int i = 0; i < n; i++) {
            t[i] = a[i].clone();
        }
        double[] w = u == null ? new double[n] : u.clone();
        double[] v = new double[n];
        double[] p = new double[n];
        // Householder: zero column k below the subdiagonal, for k = 0 .. n-3
        for (int k = 0; k < n - 2; k++) {
            double sigma = 0;
            for (int i = k + 2; i < n; i++) {
                sigma += t[i][k] * t[i][k];
            }
            if (sigma == 0) {
                continue;
            }
            double x0 = t[k + 1][k];
            double mu = Math.sqrt(x0 * x0 + sigma);
            double v0 = x0 <= 0 ? x0 - mu : -sigma / (x0 + mu);
            double beta = 2 * v0 * v0 / (sigma + v0 * v0);
            v[k + 1] = 1;
            for (int i = k + 2; i < n; i++) {
                v[i] = t[i][k] / v0;
            }
            // p = beta * A22 v, then w = p - (beta p.v / 2) v, A22 -= v w^T + w v^T
            double pv = 0;
            for (int i = k + 1; i < n; i++) {
                double[] ti = t[i];
                double s = 0;
                for (int j = k + 1; j < n; j++) {
                    s += ti[j] * v[j];
                }
                p[i] = beta * s;
                pv += p[i] * v[i];
            }
            double c = beta * pv / 2;
            for (int i = k + 1; i < n; i++) {
                p[i] -= c * v[i];
            }
            for (int i = k + 1; i < n; i++) {
                double[] ti = t[i];
                double vi = v[i];
                double pi = p[i];
                for (int j = k + 1; j < n; j++) {
                    ti[j] -= vi * p[j] + pi * v[j];
                }
            }
            t[k + 1][k] = mu;
            t[k][k + 1] = mu;
            for (int i = k + 2; i < n; i++) {
                t[i][k] = 0;
                t[k][i] = 0;
            }
            double vw = 0;
            for (int i = k + 1; i < n; i++) {
                vw += v[i] * w[i];
            }
            for (int i = k + 1; i < n; i++) {
                w[i] -= beta * vw * v[i];
            }
        }
        double[] diag = new double[n];
        double[] off = new double[Math.max(0, n - 1)];
        for (int i = 0; i < n; i++) {
            diag[i] = t[i][i];
            if (i + 1 < n) {
                off[i] = t[i + 1][i];
            }
        }
        qr(diag, off, w);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -diag[i]));
        double[] values = new double[n];
        double[] coords = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = diag[order[i]];
            coords[i] = w[order[i]];
        }
        return new SymmetricSpectrum(values, u == null ? null : coords);
    }

    /** Implicit symmetric QR with Wilkinson shifts on the tridiagonal (diag, off); rotations also applied to w. */
    private static void qr(double[] a, double[] e, double[] w) {
        int n = a.length;
        double eps = Math.ulp(1.0);
        int hi = n - 1;
        int steps = 0;
        while (hi > 0) {
            if (Math.abs(e[hi - 1]) <= eps * (Math.abs(a[hi - 1]) + Math.abs(a[hi])) || e[hi - 1] == 0) {
                e[hi - 1] = 0;
                hi--;
                continue;
            }
            int lo = hi - 1;
            while (lo > 0 && Math.abs(e[lo - 1]) > eps * (Math.abs(a[lo - 1]) + Math.abs(a[lo]))) {
                lo--;
            }
            if (lo > 0) {
                e[lo - 1] = 0;
            }
            if (++steps > 60 * n) {
                throw new IllegalArgumentException("symmetric QR did not converge");
            }
            double dd = (a[hi - 1] - a[hi]) / 2;
            double b2 = e[hi - 1] * e[hi - 1];
            double mu = a[hi] - b2 / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, e[hi - 1]));
            double x = a[lo] - mu;
            double z = e[lo];
            for (int k = lo; k < hi; k++) {
                double r = Math.hypot(x, z);
                double c = r == 0 ? 1 : x / r;
                double s = r == 0 ? 0 : z / r;
                if (k > lo) {
                    e[k - 1] = r;
                }
                double ak = a[k];
                double ak1 = a[k + 1];
                double ek = e[k];
                a[k] = c * c * ak + 2 * c * s * ek + s * s * ak1;
                a[k + 1] = s * s * ak - 2 * c * s * ek + c * c * ak1;
                e[k] = c * s * (ak1 - ak) + (c * c - s * s) * ek;
                double wk = w[k];
                w[k] = c * wk + s * w[k + 1];
                w[k + 1] = -s * wk + c * w[k + 1];
                if (k + 1 < hi) {
                    z = s * e[k + 1];
                    e[k + 1] = c * e[k + 1];
                    x = e[k];
                }
            }
        }
    }

    /** @return the sum of the eigenvalues */
    double trace() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
