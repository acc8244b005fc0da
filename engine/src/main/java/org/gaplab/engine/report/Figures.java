package org.gaplab.engine.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Figures as PNG and SVG side by side (XChart). Every figure has labelled axes; use the paper's
 * symbols in labels (e.g. "σ", "τ", "J(ρ1, ρ2)").
 */
public final class Figures {
    /** Default size in pixels. */
    public static final int WIDTH = 720;
    /** Default size in pixels. */
    public static final int HEIGHT = 480;

    private Figures() {}

    /** @return an empty line chart with gaplab's style */
    public static XYChart lineChart(String title, String xLabel, String yLabel) {
        return lineChart(title, xLabel, yLabel, WIDTH, HEIGHT);
    }

    /** @return an empty line chart of the given pixel size (square for polar or sphere plots) */
    public static XYChart lineChart(String title, String xLabel, String yLabel, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    /**
     * Adds a line series, optionally with symmetric error bars.
     *
     * @param chart the chart
     * @param name legend entry
     * @param x abscissae
     * @param y ordinates
     * @param err half-widths of error bars, or null
     * @return the series, for further styling
     */
    public static XYSeries addLine(XYChart chart, String name, double[] x, double[] y, double[] err) {
        XYSeries s = err == null ? chart.addSeries(name, x, y) : chart.addSeries(name, x, y, err);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(x.length > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        return s;
    }

    /** Adds a scatter series (no connecting line). */
    public static XYSeries addScatter(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /**
     * Writes {@code <base>.png} and {@code <base>.svg}, each atomically (rendered in memory, then
     * temp file and rename), so a full disk leaves the previous figure or none, never half a file.
     *
     * @param chart any XChart chart
     * @param base path without extension
     */
    public static void save(Chart<?, ?> chart, Path base) {
        byte[] png;
        java.io.ByteArrayOutputStream svg = new java.io.ByteArrayOutputStream();
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render figure " + base + ": " + e.getMessage(), e);
        }
        Json.writeAtomically(Path.of(base + ".png"), png);
        Json.writeAtomically(Path.of(base + ".svg"), svg.toByteArray());
    }
}
