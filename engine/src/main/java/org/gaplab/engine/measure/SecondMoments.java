package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * First and second moments of a set of rows: {@code n}, the sum of the rows and the d x d matrix
 * {@code X^T X}, formed on the rows' device in one product (O(n d^2) work, O(d^2) memory) and kept
 * on the host in float64 for the small d x d algebra that follows (cosine sums, covariances,
 * spectra).
 *
 * @param n rows
 * @param sum {@code sum_i x_i}
 * @param gram {@code X^T X}
 */
record SecondMoments(int n, double[] sum, double[][] gram) {
    /**
     * @param x rows {@code [n, d]}, any floating dtype (products in that dtype, results in float64)
     * @return their moments
     */
    static SecondMoments of(NDArray x) {
        int n = (int) x.getShape().get(0);
        int d = (int) x.getShape().get(1);
        try (NDManager s = x.getManager().newSubManager()) {
            Pairwise.tempAttach(s, x);
            double[] sum = x.sum(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] flat = x.transpose().matMul(x).toType(DataType.FLOAT64, false).toDoubleArray();
            double[][] g = new double[d][d];
            for (int i = 0; i < d; i++) {
                System.arraycopy(flat, i * d, g[i], 0, d);
            }
            return new SecondMoments(n, sum, g);
        }
    }

    /** @return the mean row */
    double[] mean() {
        double[] m = sum.clone();
        for (int i = 0; i < m.length; i++) {
            m[i] /= n;
        }
        return m;
    }

    /** @return the covariance {@code X^T X / n - mean mean^T} (population form), symmetrised */
    double[][] covariance() {
        int d = sum.length;
        double[] m = mean();
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0.5 * (gram[i][j] + gram[j][i]) / n - m[i] * m[j];
                c[i][j] = v;
                c[j][i] = v;
            }
        }
        return c;
    }

    /** @return {@code ||sum||^2} */
    double sumNorm2() {
        double s = 0;
        for (double v : sum) {
            s += v * v;
        }
        return s;
    }

    /** @return {@code ||X^T X||_F^2 = sum_{i,j} <x_i, x_j>^2} */
    double gramFrobenius2() {
        double s = 0;
        for (double[] row : gram) {
            for (double v : row) {
                s += v * v;
            }
        }
        return s;
    }

    /** @return {@code trace(X^T X) = sum_i ||x_i||^2} */
    double trace() {
        double s = 0;
        for (int i = 0; i < gram.length; i++) {
            s += gram[i][i];
        }
        return s;
    }
}
