package org.gaplab.engine.experiment.gibbs;

import org.gaplab.engine.report.Figures;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * Particles on S^2 over the potential, in the Lambert azimuthal equal-area projection centred
 * between the two wells. With an orthonormal frame (e1, e2, c), c = (m1 + m2)/||m1 + m2||, a unit
 * vector with coordinates (x, y, s) maps to
 *
 * <pre>
 *   (X, Y) = sqrt(2 / (1 + s)) (x, y),
 * </pre>
 *
 * a disk of radius 2 whose area equals the sphere's, so equal areas on S^2 stay equal and point
 * densities can be compared by eye (the antipode of c is the rim). U is drawn as grey bands,
 * darker where U is lower.
 */
final class SphereFigure {
    /** Number of grey levels of U. */
    static final int LEVELS = 8;
    /** Grid cells per side of the background. */
    static final int GRID = 52;

    private SphereFigure() {}

    /** The projection frame: rows e1, e2, c. */
    static double[][] frame(TwoWellPotential u) {
        double[] m1 = u.m1();
        double[] m2 = u.m2();
        double[] c = normalise(new double[] {m1[0] + m2[0], m1[1] + m2[1], m1[2] + m2[2]});
        double dot = m1[0] * c[0] + m1[1] * c[1] + m1[2] * c[2];
        double[] e1 = normalise(new double[] {m1[0] - dot * c[0], m1[1] - dot * c[1], m1[2] - dot * c[2]});
        double[] e2 = {c[1] * e1[2] - c[2] * e1[1], c[2] * e1[0] - c[0] * e1[2], c[0] * e1[1] - c[1] * e1[0]};
        return new double[][] {e1, e2, c};
    }

    /** Projects a unit vector to the disk of radius 2. */
    static double[] project(double[][] f, double[] p) {
        double x = dot(f[0], p);
        double y = dot(f[1], p);
        double s = dot(f[2], p);
        double k = Math.sqrt(2 / Math.max(1 + s, 1e-12));
        return new double[] {k * x, k * y};
    }

    /** Inverse projection of a point of the disk (|X| <= 2) to S^2. */
    static double[] unproject(double[][] f, double bigX, double bigY) {
        double r2 = bigX * bigX + bigY * bigY;
        double q = Math.sqrt(Math.max(0, 1 - r2 / 4));
        double x = bigX * q;
        double y = bigY * q;
        double s = 1 - r2 / 2;
        double[] p = new double[3];
        for (int d = 0; d < 3; d++) {
            p[d] = x * f[0][d] + y * f[1][d] + s * f[2][d];
        }
        return p;
    }

    /**
     * @param title chart title
     * @param u the potential (background and well markers)
     * @param particles unit vectors {@code [M][3]}
     * @return the chart
     */
    static XYChart chart(String title, TwoWellPotential u, double[][] particles) {
        XYChart chart = new XYChartBuilder().width(Figures.WIDTH).height(Figures.WIDTH + 40).title(title)
                .xAxisTitle("Lambert equal-area x (grey: U(z), darker = lower)").yAxisTitle("Lambert equal-area y").build();
        Figures.style(chart);
        Styler s = chart.getStyler();
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setMarkerSize(3);
        chart.getStyler().setXAxisMin(-2.05).setXAxisMax(2.05).setYAxisMin(-2.05).setYAxisMax(2.05);
        double[][] f = frame(u);
        background(chart, u, f);
        double[] px = new double[particles.length];
        double[] py = new double[particles.length];
        for (int i = 0; i < particles.length; i++) {
            double[] xy = project(f, particles[i]);
            px[i] = xy[0];
            py[i] = xy[1];
        }
        XYSeries pts = Figures.addScatter(chart, "trained particles z_i", px, py);
        pts.setMarkerColor(new Color(214, 96, 26));
        double[] w1 = project(f, u.m1());
        double[] w2 = project(f, u.m2());
        XYSeries wells = Figures.addScatter(chart, "wells m1, m2", new double[] {w1[0], w2[0]}, new double[] {w1[1], w2[1]});
        wells.setMarker(SeriesMarkers.DIAMOND);
        wells.setMarkerColor(new Color(30, 60, 200));
        return chart;
    }

    /** Grey bands of U on a grid over the disk, one hidden-from-legend series per band. */
    private static void background(XYChart chart, TwoWellPotential u, double[][] f) {
        List<double[]> cells = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                double x = -2 + 4 * (i + 0.5) / GRID;
                double y = -2 + 4 * (j + 0.5) / GRID;
                if (x * x + y * y > 4) {
                    continue;
                }
                double[] p = unproject(f, x, y);
                double val = u.value(p[0], p[1], p[2]);
                lo = Math.min(lo, val);
                hi = Math.max(hi, val);
                cells.add(new double[] {x, y, val});
            }
        }
        for (int level = 0; level < LEVELS; level++) {
            List<double[]> band = new ArrayList<>();
            for (double[] c : cells) {
                int b = (int) Math.min(LEVELS - 1, Math.floor((c[2] - lo) / (hi - lo) * LEVELS));
                if (b == level) {
                    band.add(c);
                }
            }
            if (band.isEmpty()) {
                continue;
            }
            double[] bx = band.stream().mapToDouble(c -> c[0]).toArray();
            double[] by = band.stream().mapToDouble(c -> c[1]).toArray();
            XYSeries series = Figures.addScatter(chart, "U level " + level, bx, by);
            series.setMarker(SeriesMarkers.SQUARE);
            int grey = 110 + (int) (140.0 * level / (LEVELS - 1));
            series.setMarkerColor(new Color(grey, grey, grey));
            series.setShowInLegend(false);
        }
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }
}
