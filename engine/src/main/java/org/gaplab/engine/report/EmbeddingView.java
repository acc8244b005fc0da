package org.gaplab.engine.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A 2-D picture of two embedding samples of any dimension: the principal plane of the pooled
 * sample (PCA; the share of variance it holds is in the axis titles) and, for unit vectors, a
 * sphere-aware view: the three leading principal directions, renormalised onto S², drawn in
 * Lambert's azimuthal equal-area projection about the pooled mean direction (areas on the
 * sphere keep their proportions, so the mass of each cluster reads true). Plotted points are a
 * seeded subsample, which keeps the vector files small.
 */
public final class EmbeddingView {
    /** Most points drawn per modality. */
    public static final int MAX_POINTS = 600;

    private EmbeddingView() {}

    /**
     * The leading principal directions of the rows (power iteration with deflation on the d x d
     * covariance; a figure, so on the host).
     *
     * @param rows pooled sample {@code [n][d]}
     * @param k directions wanted (at most d)
     * @return {@code [k][d]} unit vectors, then the variance share of each in {@code [k]} appended as row k
     */
    static double[][] principal(double[][] rows, int k) {
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / rows.length;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] r : rows) {
            for (int i = 0; i < d; i++) {
                double a = r[i] - mean[i];
                for (int j = i; j < d; j++) {
                    cov[i][j] += a * (r[j] - mean[j]) / rows.length;
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[i][j] = cov[j][i];
            }
            trace += cov[i][i];
        }
        double[][] out = new double[k + 1][];
        out[k] = new double[k];
        SplittableRandom rng = new SplittableRandom(17);
        for (int c = 0; c < k; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = rng.nextDouble() - 0.5;
            }
            double lambda = 0;
            for (int it = 0; it < 500; it++) {
                double[] w = new double[d];
                for (int i = 0; i < d; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += cov[i][j] * v[j];
                    }
                    w[i] = s;
                }
                double norm = Math.sqrt(dot(w, w));
                if (norm < 1e-300) {
                    break;
                }
                for (int j = 0; j < d; j++) {
                    w[j] /= norm;
                }
                double change = 1 - Math.abs(dot(w, v));
                v = w;
                lambda = norm;
                if (change < 1e-12) {
                    break;
                }
            }
            out[c] = v;
            out[k][c] = trace > 0 ? lambda / trace : 0;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[i][j] -= lambda * v[i] * v[j];
                }
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Writes {@code <base>.png/.svg/.pdf}: the PCA panel, and the equal-area sphere panel when both
     * samples are unit vectors with d >= 3.
     *
     * @param z1 modality 1 {@code [n][d]}
     * @param z2 modality 2 {@code [m][d]}
     * @param title what the samples are
     * @param base output path without extension
     */
    public static void write(double[][] z1, double[][] z2, String title, Path base) {
        double[][] a = subsample(z1, 1);
        double[][] b = subsample(z2, 2);
        double[][] pooled = new double[a.length + b.length][];
        System.arraycopy(a, 0, pooled, 0, a.length);
        System.arraycopy(b, 0, pooled, a.length, b.length);
        int d = pooled[0].length;
        int k = Math.min(3, d);
        double[][] pc = principal(pooled, k);
        double[] share = pc[k];
        List<XYChart> panels = new ArrayList<>();
        XYChart pca = Figures.lineChart(title + ": PCA", String.format(java.util.Locale.ROOT, "PC1 (%.0f%% of variance)", 100 * share[0]),
                k > 1 ? String.format(java.util.Locale.ROOT, "PC2 (%.0f%%)", 100 * share[1]) : "0", Figures.WIDTH, Figures.WIDTH);
        scatter(pca, "z1 (modality 1)", project(a, pc[0], k > 1 ? pc[1] : null), Figures.PALETTE[0]);
        scatter(pca, "z2 (modality 2)", project(b, pc[0], k > 1 ? pc[1] : null), Figures.PALETTE[1]);
        panels.add(pca);
        if (d >= 3 && unit(a) && unit(b)) {
            double[] center = new double[3];
            double[][] s1 = toSphere(a, pc);
            double[][] s2 = toSphere(b, pc);
            for (double[][] s : List.of(s1, s2)) {
                for (double[] p : s) {
                    for (int j = 0; j < 3; j++) {
                        center[j] += p[j];
                    }
                }
            }
            double cn = Math.sqrt(dot(center, center));
            if (cn < 1e-9) {
                center = new double[] {0, 0, 1};
            } else {
                for (int j = 0; j < 3; j++) {
                    center[j] /= cn;
                }
            }
            XYChart sphere = Figures.lineChart(title + ": sphere", "Lambert equal-area x", "Lambert equal-area y",
                    Figures.WIDTH, Figures.WIDTH);
            sphere.getStyler().setXAxisMin(-2.05).setXAxisMax(2.05).setYAxisMin(-2.05).setYAxisMax(2.05);
            scatter(sphere, "z1 (modality 1)", lambert(s1, center), Figures.PALETTE[0]);
            scatter(sphere, "z2 (modality 2)", lambert(s2, center), Figures.PALETTE[1]);
            double[] cx = new double[121];
            double[] cy = new double[121];
            for (int i = 0; i <= 120; i++) {
                cx[i] = 2 * Math.cos(2 * Math.PI * i / 120);
                cy[i] = 2 * Math.sin(2 * Math.PI * i / 120);
            }
            XYSeries rim = Figures.addLine(sphere, "antipode of the mean direction", cx, cy, null);
            rim.setMarker(SeriesMarkers.NONE);
            rim.setLineColor(Color.GRAY);
            rim.setLineStyle(Figures.DASHED);
            panels.add(sphere);
        }
        Figures.saveGrid(panels, panels.size(), base);
    }

    private static double[][] subsample(double[][] z, long seed) {
        if (z.length <= MAX_POINTS) {
            return z;
        }
        int[] idx = new SplittableRandom(seed).ints(0, z.length).distinct().limit(MAX_POINTS).sorted().toArray();
        double[][] out = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            out[i] = z[idx[i]];
        }
        return out;
    }

    private static boolean unit(double[][] z) {
        for (double[] r : z) {
            if (Math.abs(Math.sqrt(dot(r, r)) - 1) > 1e-3) {
                return false;
            }
        }
        return true;
    }

    private static double[][] project(double[][] z, double[] u, double[] v) {
        double[][] out = new double[2][z.length];
        for (int i = 0; i < z.length; i++) {
            out[0][i] = dot(z[i], u);
            out[1][i] = v == null ? 0 : dot(z[i], v);
        }
        return out;
    }

    /** Coordinates in the three leading directions, renormalised onto S². */
    private static double[][] toSphere(double[][] z, double[][] pc) {
        double[][] out = new double[z.length][3];
        for (int i = 0; i < z.length; i++) {
            double[] p = {dot(z[i], pc[0]), dot(z[i], pc[1]), dot(z[i], pc[2])};
            double n = Math.sqrt(dot(p, p));
            for (int j = 0; j < 3; j++) {
                out[i][j] = n > 0 ? p[j] / n : 0;
            }
        }
        return out;
    }

    /** Lambert azimuthal equal-area projection about {@code c}: radius 2 sin(angle/2), the antipode on the rim. */
    static double[][] lambert(double[][] s, double[] c) {
        double[] e1 = orthogonal(c);
        double[] e2 = {c[1] * e1[2] - c[2] * e1[1], c[2] * e1[0] - c[0] * e1[2], c[0] * e1[1] - c[1] * e1[0]};
        double[][] out = new double[2][s.length];
        for (int i = 0; i < s.length; i++) {
            double cos = Math.max(-1, Math.min(1, dot(s[i], c)));
            double x = dot(s[i], e1);
            double y = dot(s[i], e2);
            double r = Math.sqrt(x * x + y * y);
            double rho = 2 * Math.sin(Math.acos(cos) / 2);
            // at the centre the direction does not matter; the antipode is drawn on the rim at angle 0
            out[0][i] = r > 0 ? rho * x / r : rho;
            out[1][i] = r > 0 ? rho * y / r : 0;
        }
        return out;
    }

    private static double[] orthogonal(double[] c) {
        double[] a = Math.abs(c[0]) < 0.9 ? new double[] {1, 0, 0} : new double[] {0, 1, 0};
        double p = dot(a, c);
        double[] e = {a[0] - p * c[0], a[1] - p * c[1], a[2] - p * c[2]};
        double n = Math.sqrt(dot(e, e));
        return new double[] {e[0] / n, e[1] / n, e[2] / n};
    }

    private static void scatter(XYChart chart, String name, double[][] xy, Color color) {
        XYSeries s = Figures.addScatter(chart, name, xy[0], xy[1]);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 110));
        chart.getStyler().setMarkerSize(2);
    }
}
