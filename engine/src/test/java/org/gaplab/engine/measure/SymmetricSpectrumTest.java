package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

/**
 * The eigenvalue routine behind RankMe and the gap's principal axes, matched against Commons
 * Math's {@link EigenDecomposition} (which also forms the eigenvectors, the O(d^3) work the
 * routine avoids) on random symmetric matrices, a covariance with repeated eigenvalues included.
 */
class SymmetricSpectrumTest {
    @Test
    void eigenvaluesAndCoordinatesMatchCommonsMath() {
        Random r = new Random(7);
        for (int d : new int[] {1, 2, 5, 40, 129}) {
            double[][] a = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i][j] = a[j][i] = r.nextGaussian();
                }
            }
            check(a, r);
        }
        // a rank-3 covariance in d = 30: 27 eigenvalues equal to 0
        int d = 30;
        double[][] x = new double[3][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                for (double[] row : x) {
                    c[i][j] += row[i] * row[j];
                }
            }
        }
        check(c, r);
    }

    private static void check(double[][] a, Random r) {
        int d = a.length;
        double[] u = new double[d];
        for (int i = 0; i < d; i++) {
            u[i] = r.nextGaussian();
        }
        SymmetricSpectrum s = SymmetricSpectrum.of(a, u);
        RealMatrix m = MatrixUtils.createRealMatrix(a);
        EigenDecomposition e = new EigenDecomposition(m);
        double[] expected = e.getRealEigenvalues().clone();
        Arrays.sort(expected);
        double scale = Math.max(1, Arrays.stream(expected).map(Math::abs).max().orElse(1));
        for (int i = 0; i < d; i++) {
            assertThat(s.values()[i]).as("eigenvalue %d of %d", i, d).isCloseTo(expected[d - 1 - i], within(1e-10 * scale));
        }
        // coordinates of u on the eigenvectors: equal up to sign where the eigenvalue is simple;
        // over a repeated eigenvalue only the squared length of the projection is defined
        double[] values = e.getRealEigenvalues();
        double totalOurs = Arrays.stream(s.coordinates()).map(x -> x * x).sum();
        double totalU = Arrays.stream(u).map(x -> x * x).sum();
        assertThat(totalOurs).isCloseTo(totalU, within(1e-9 * totalU));
        for (int i = 0; i < d; i++) {
            double lambda = s.values()[i];
            double ours = 0;
            double theirs = 0;
            for (int k = 0; k < d; k++) {
                if (Math.abs(s.values()[k] - lambda) < 1e-8 * scale) {
                    ours += s.coordinates()[k] * s.coordinates()[k];
                }
                if (Math.abs(values[k] - lambda) < 1e-8 * scale) {
                    double p = e.getEigenvector(k).dotProduct(MatrixUtils.createRealVector(u));
                    theirs += p * p;
                }
            }
            assertThat(ours).as("projection on eigenvalue %s (d = %d)", lambda, d).isCloseTo(theirs, within(1e-8 * totalU));
        }
    }
}
