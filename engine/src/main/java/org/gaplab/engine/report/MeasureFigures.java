package org.gaplab.engine.report;

import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureView;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The figures of {@code gaplab measure --out}: one column wide (252 pt = 3.5 in, legend included),
 * each as PNG (300 dpi), SVG and PDF like the project's other figures.
 * <ul>
 *   <li>{@code embeddings}: both samples (up to 600 points each) on the first two principal axes of
 *   the pooled sample, with the share of variance each holds;</li>
 *   <li>{@code cosines}: the distributions of the cosine for true pairs, random image-caption
 *   pairs and random pairs within each modality (the cone effect), as histogram densities;</li>
 *   <li>{@code shift}: the embedding-shift experiment, loss and R@1 against the centroid gap along
 *   the original gap direction (negative once the modalities have passed each other), the
 *   unshifted gap marked.</li>
 * </ul>
 */
public final class MeasureFigures {
    /** Histogram bins of the cosine distributions. */
    static final int BINS = 40;

    private MeasureFigures() {}

    /** The chart width that leaves room for an outside legend of these names within one column. */
    private static int plotWidth(String... names) {
        int chars = 0;
        for (String n : names) {
            chars = Math.max(chars, n.length());
        }
        return Figures.WIDTH - (34 + (int) Math.ceil(chars * 8 * 0.55));
    }

    /**
     * Writes {@code embeddings.*} and {@code cosines.*} into a directory.
     *
     * @param view the sample
     * @param title what was measured, short
     * @param dir the directory
     */
    public static void embeddings(MeasureView view, String title, Path dir) {
        pca(view, title, dir.resolve("embeddings"));
        String[] names = {"true pairs", "random 1-2", "within 1", "within 2"};
        double[][] data = {view.pairCosine(), view.crossCosine(), view.withinCosine1(), view.withinCosine2()};
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] a : data) {
            for (double v : a) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(hi > lo)) {
            hi = lo + 1e-3;
        }
        XYChart chart = Figures.lineChart("cosine distributions", "cosine", "density", plotWidth(names), Figures.HEIGHT);
        double width = (hi - lo) / BINS;
        for (int s = 0; s < data.length; s++) {
            double[] x = new double[BINS];
            double[] y = new double[BINS];
            for (int b = 0; b < BINS; b++) {
                x[b] = lo + (b + 0.5) * width;
            }
            for (double v : data[s]) {
                int b = (int) Math.min(BINS - 1, Math.max(0, Math.floor((v - lo) / width)));
                y[b] += 1.0 / (data[s].length * width);
            }
            XYSeries series = Figures.addLine(chart, names[s], x, y, null);
            series.setMarker(SeriesMarkers.NONE);
        }
        Figures.save(chart, dir.resolve("cosines"));
    }

    private static void pca(MeasureView view, String title, Path base) {
        double[][] a = head(view.rows1(), EmbeddingView.MAX_POINTS);
        double[][] b = head(view.rows2(), EmbeddingView.MAX_POINTS);
        double[][] pooled = new double[a.length + b.length][];
        System.arraycopy(a, 0, pooled, 0, a.length);
        System.arraycopy(b, 0, pooled, a.length, b.length);
        int d = pooled[0].length;
        int k = Math.min(2, d);
        double[][] pc = EmbeddingView.principal(pooled, k);
        double[] share = pc[k];
        String[] names = {"modality 1", "modality 2"};
        XYChart chart = Figures.lineChart(title + ": PCA", String.format(Locale.ROOT, "PC1 (%.0f%% of variance)", 100 * share[0]),
                k > 1 ? String.format(Locale.ROOT, "PC2 (%.0f%%)", 100 * share[1]) : "0", plotWidth(names), Figures.HEIGHT);
        for (int m = 0; m < 2; m++) {
            double[][] rows = m == 0 ? a : b;
            double[] x = new double[rows.length];
            double[] y = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < d; j++) {
                    x[i] += rows[i][j] * pc[0][j];
                    y[i] += k > 1 ? rows[i][j] * pc[1][j] : 0;
                }
            }
            XYSeries s = Figures.addScatter(chart, names[m], x, y);
            s.setMarkerColor(new java.awt.Color(Figures.PALETTE[m].getRed(), Figures.PALETTE[m].getGreen(), Figures.PALETTE[m].getBlue(), 110));
        }
        chart.getStyler().setMarkerSize(2);
        Figures.save(chart, base);
    }

    private static double[][] head(double[][] rows, int n) {
        return java.util.Arrays.copyOf(rows, Math.min(n, rows.length));
    }

    /**
     * Writes {@code shift.*}: the symmetric InfoNCE at each temperature (top) and R@1 both ways
     * (bottom) against the centroid gap along g; a dashed line marks the unshifted gap.
     *
     * @param r the experiment
     * @param base output path without extension
     */
    public static void shift(GapReport.ShiftResult r, Path base) {
        int n = r.points().size();
        double[] gap = new double[n];
        for (int i = 0; i < n; i++) {
            gap[i] = r.points().get(i).gapAlongDirection();
        }
        String[] lossNames = new String[r.taus().length];
        for (int t = 0; t < lossNames.length; t++) {
            lossNames[t] = String.format(Locale.ROOT, "tau %s", Figures.tick(r.taus()[t]));
        }
        String[] recallNames = {"R@1 1->2", "R@1 2->1"};
        int width = Math.min(Math.min(plotWidth(lossNames), plotWidth(recallNames)), plotWidth("unshifted"));
        XYChart loss = Figures.lineChart("symmetric InfoNCE after the shift", "centroid gap along g after the shift", "loss", width, Figures.HEIGHT);
        double lossLo = Double.POSITIVE_INFINITY;
        double lossHi = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < lossNames.length; t++) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.points().get(i).loss()[t];
                lossLo = Math.min(lossLo, y[i]);
                lossHi = Math.max(lossHi, y[i]);
            }
            Figures.addLine(loss, lossNames[t], gap, y, null);
        }
        mark(loss, r.unshiftedGap(), lossLo, lossHi);
        XYChart recall = Figures.lineChart("retrieval after the shift", "centroid gap along g after the shift", "R@1", width, Figures.HEIGHT);
        double[] r12 = new double[n];
        double[] r21 = new double[n];
        for (int i = 0; i < n; i++) {
            r12[i] = r.points().get(i).r1OneToTwo();
            r21[i] = r.points().get(i).r1TwoToOne();
        }
        Figures.addLine(recall, recallNames[0], gap, r12, null);
        Figures.addLine(recall, recallNames[1], gap, r21, null);
        mark(recall, r.unshiftedGap(), Math.min(min(r12), min(r21)), Math.max(max(r12), max(r21)));
        Figures.saveGrid(List.of(loss, recall), 1, base);
    }

    private static void mark(XYChart chart, double x, double lo, double hi) {
        if (!(hi > lo)) {
            double pad = Math.max(1e-3, 0.5 * Math.abs(lo));
            lo -= pad;
            hi += pad;
        }
        XYSeries s = chart.addSeries("unshifted", new double[] {x, x}, new double[] {lo, hi});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(Figures.DASHED);
        s.setLineColor(java.awt.Color.GRAY);
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
