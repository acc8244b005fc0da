package org.gaplab.engine.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.gaplab.core.UnavailableException;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * Figures for papers (XChart, rendered by us to PNG, SVG and PDF).
 *
 * <p>Sizes are in points (1/72 in): {@link #WIDTH} is one column of a two-column paper (3.5 in),
 * {@link #WIDE_WIDTH} the full text width (7 in), so the PDF and SVG drop into a column at 100%
 * with 8-9 pt text; the PNG is the same drawing at 300 dpi. Tick labels are short and have a
 * leading zero ({@link #tick(double)}); legends sit right of the plot (widening the figure up to
 * the text width), never on the data, and are
 * hidden when there is one series. Several quantities of different scale go into small multiples
 * ({@link #saveGrid}), one axis each. Error bars and bands say in their legend entry what they
 * are (sd, SEM, quartiles).
 */
public final class Figures {
    /** One column of a two-column paper, in points (3.5 in). */
    public static final int WIDTH = 252;
    /** Default height in points. */
    public static final int HEIGHT = 180;
    /** The full text width of a two-column paper, in points (7.17 in: two columns and the gutter). */
    public static final int WIDE_WIDTH = 516;
    /** Resolution of the PNG files. */
    public static final int PNG_DPI = 300;
    /** Colour-blind-safe palette (Okabe and Ito). */
    public static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66), Color.BLACK};
    /** A dashed line, for references and controls. */
    public static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {3f, 2f}, 0f);

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 9);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 8);
    private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 7);

    private Figures() {}

    /** @return an empty line chart, one column wide */
    public static XYChart lineChart(String title, String xLabel, String yLabel) {
        return lineChart(title, xLabel, yLabel, WIDTH, HEIGHT);
    }

    /** @return an empty line chart of the given size in points (square for polar or sphere plots) */
    public static XYChart lineChart(String title, String xLabel, String yLabel, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart);
        return chart;
    }

    /**
     * Applies gaplab's paper style to any axes chart: white background, small fonts, short tick
     * labels with leading zeros, legend below the plot, the colour-blind-safe palette.
     *
     * @param chart the chart
     */
    public static void style(Chart<? extends AxesChartStyler, ?> chart) {
        AxesChartStyler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setPlotGridLinesVisible(true);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setPlotGridLinesStroke(new BasicStroke(0.5f));
        s.setChartTitleFont(TITLE);
        s.setChartTitleBoxVisible(false);
        s.setChartTitlePadding(3);
        s.setAxisTitleFont(LABEL);
        s.setAxisTickLabelsFont(TICKS);
        s.setAxisTitlePadding(3);
        s.setAxisTickPadding(2);
        s.setAxisTickMarkLength(3);
        // XChart's default spacing hints (in drawing units) suit 720-unit-wide charts; ours are in points
        s.setXAxisTickMarkSpacingHint(36);
        s.setYAxisTickMarkSpacingHint(24);
        s.setPlotMargin(2);
        s.setChartPadding(4);
        s.setLegendFont(LABEL);
        // right of the plot: XChart 3.8 draws a legend below the plot over the x-axis title
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendPadding(3);
        s.setLegendSeriesLineLength(18);
        s.setMarkerSize(4);
        s.setSeriesColors(PALETTE);
        s.setxAxisTickLabelsFormattingFunction(Figures::tick);
        s.setyAxisTickLabelsFormattingFunction(Figures::tick);
        s.setErrorBarsColorSeriesColor(true);
    }

    /**
     * A tick label: at most four significant digits, a leading zero, a true minus sign, and
     * powers of ten written as {@code 1e-4} outside [0.001, 10^5).
     *
     * @param v the value
     * @return e.g. "0.045", "−3.098", "2e-05", "0"
     */
    public static String tick(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        if (a < 1e-12) {
            return "0";
        }
        String out;
        if (a < 1e-3 || a >= 1e5) {
            String e = String.format(java.util.Locale.ROOT, "%.2e", v);
            Matcher m = Pattern.compile("(-?\\d(?:\\.\\d+)?)e([+-])0*(\\d+)").matcher(e);
            if (!m.matches()) {
                return e;
            }
            String mant = new BigDecimal(m.group(1)).stripTrailingZeros().toPlainString();
            out = mant + "e" + ("-".equals(m.group(2)) ? "-" : "") + m.group(3);
        } else {
            out = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        }
        return out.replace('-', '\u2212');
    }

    /**
     * Adds a line series, optionally with symmetric error bars; the legend entry should say what
     * the bars are (e.g. "mean ± SEM over 20 seeds").
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
        s.setMarker(x.length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        s.setLineWidth(1.2f);
        return s;
    }

    /**
     * Adds a shaded band between {@code lo} and {@code hi} (e.g. the interquartile range or
     * mean ± sd), drawn under the lines added after it.
     *
     * @param chart the chart
     * @param name legend entry saying what the band is
     * @param x abscissae (increasing)
     * @param lo lower edge
     * @param hi upper edge
     * @param color the band's colour (drawn translucent)
     * @return the series
     */
    public static XYSeries addBand(XYChart chart, String name, double[] x, double[] lo, double[] hi, Color color) {
        int n = x.length;
        double[] px = new double[2 * n];
        double[] py = new double[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = x[i];
            py[i] = hi[i];
            px[2 * n - 1 - i] = x[i];
            py[2 * n - 1 - i] = lo[i];
        }
        XYSeries s = chart.addSeries(name, px, py);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setMarker(SeriesMarkers.NONE);
        Color fill = new Color(color.getRed(), color.getGreen(), color.getBlue(), 60);
        s.setFillColor(fill);
        s.setLineColor(fill);
        s.setLineWidth(0.1f);
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
     * Writes {@code <base>.png} (300 dpi), {@code <base>.svg} and {@code <base>.pdf}.
     *
     * @param chart any XChart chart
     * @param base path without extension
     */
    public static void save(Chart<?, ?> chart, Path base) {
        saveGrid(List.of(chart), 1, base);
    }

    /**
     * Writes small multiples: panels of equal size in a grid, row by row, as one figure
     * ({@code <base>.png}, {@code .svg}, {@code .pdf}).
     *
     * @param panels the charts, all of the same size
     * @param columns panels per row
     * @param base path without extension
     */
    public static void saveGrid(List<? extends Chart<?, ?>> panels, int columns, Path base) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels for figure " + base);
        }
        for (Chart<?, ?> c : panels) {
            hideLoneLegend(c);
            if (c instanceof XYChart xy) {
                fixXRange(xy);
            }
        }
        int cols = Math.min(columns, panels.size());
        // a legend widens the figure, so the plot keeps its column width (up to the full text width)
        int natural = panels.stream().mapToInt(c -> Math.min(WIDE_WIDTH, c.getWidth() + legendWidth(c))).max().getAsInt();
        // by design one column (252 pt) or the full text width (516 pt), never a size in between:
        // panels that do not fit two columns' width wrap onto more rows
        int target = cols * natural <= WIDTH ? WIDTH : WIDE_WIDTH;
        cols = Math.max(1, Math.min(cols, target / Math.min(target, natural)));
        int rows = (panels.size() + cols - 1) / cols;
        int pw = target / cols;
        int ph = panels.get(0).getHeight();
        for (Chart<?, ?> c : panels) {
            fitTitle(c, Math.min(c.getWidth(), pw)); // the title is centred over the plot, not over plot and legend
            fitAxisTitles(c, pw - legendWidth(c), ph);
        }
        int w = target;
        int h = rows * ph;
        final int perRow = cols;
        Painter painter = g -> {
            for (int i = 0; i < panels.size(); i++) {
                AffineTransform saved = g.getTransform();
                g.translate((i % perRow) * pw, (i / perRow) * ph);
                panels.get(i).paint(g, pw, ph);
                g.setTransform(saved);
            }
        };
        try {
            Path parent = base.toAbsolutePath().getParent();
            org.gaplab.core.OutputGuard.check(base);
            Files.createDirectories(parent);
            writePng(painter, w, h, sibling(base, ".png"));
            writeSvg(painter, w, h, sibling(base, ".svg"));
            writePdf(painter, w, h, sibling(base, ".pdf"));
        } catch (IOException e) {
            // writeAtomically names the file that failed; anything else is about the figure as a whole
            throw new UnavailableException(e.getMessage() != null && e.getMessage().startsWith("cannot write ") ? e.getMessage()
                    : "cannot write figure " + base + ": " + e.getMessage(), e);
        }
    }

    private static Path sibling(Path base, String ext) {
        return base.resolveSibling(base.getFileName() + ext);
    }

    /** Shrinks a title that would not fit its panel (down to 6 pt). */
    private static void fitTitle(Chart<?, ?> chart, int width) {
        String title = chart.getTitle();
        if (title == null || title.isEmpty()) {
            return;
        }
        Font font = chart.getStyler().getChartTitleFont();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        try {
            while (font.getSize2D() > 6 && g.getFontMetrics(font).stringWidth(title) > width - 8) {
                font = font.deriveFont(font.getSize2D() - 0.5f);
            }
        } finally {
            g.dispose();
        }
        chart.getStyler().setChartTitleFont(font);
    }

    /**
     * Shrinks axis titles that would not fit along their axis (down to 6 pt), so no label is
     * clipped: the y title runs along the plot's height, the x title along its width.
     */
    private static void fitAxisTitles(Chart<?, ?> chart, int width, int height) {
        if (!(chart.getStyler() instanceof AxesChartStyler s)) {
            return;
        }
        String x = chart.getXAxisTitle();
        String y = chart.getYAxisTitle();
        Font font = s.getAxisTitleFont();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        try {
            while (font.getSize2D() > 6 && (tooWide(g, font, y, height - 40) || tooWide(g, font, x, width - 30))) {
                font = font.deriveFont(font.getSize2D() - 0.5f);
            }
        } finally {
            g.dispose();
        }
        s.setAxisTitleFont(font);
    }

    private static boolean tooWide(Graphics2D g, Font font, String text, int room) {
        return text != null && !text.isEmpty() && g.getFontMetrics(font).stringWidth(text) > room;
    }

    /**
     * Whether a grid key is a scale parameter (a temperature, a learning rate, a weight lambda)
     * whose positive values span a decade or more: such an axis is drawn logarithmic.
     *
     * @param key the config key, e.g. {@code model.temperature.tau}
     * @param values the grid's values
     * @return whether to use a log axis
     */
    public static boolean logScale(String key, double[] values) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        boolean scale = k.endsWith("tau") || k.endsWith(".lr") || k.equals("lr") || k.endsWith("gap_weight") || k.endsWith("lambda")
                || k.endsWith("weight_decay") || k.endsWith("max_logit_scale") || k.endsWith("lambdas") || k.endsWith("taus");
        double lo = java.util.Arrays.stream(values).min().orElse(0);
        double hi = java.util.Arrays.stream(values).max().orElse(0);
        return scale && lo > 0 && hi / lo >= 10;
    }

    /**
     * Draws the x axis logarithmic (XChart's decade ticks; a tick formatter would put linear
     * ticks back, so the axis uses a decimal pattern instead).
     *
     * @param chart the chart
     */
    public static void logX(XYChart chart) {
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(null);
        chart.getStyler().setXAxisDecimalPattern("0.###");
    }

    /** Approximate width of a chart's legend in points (0 when hidden), from its longest entry. */
    private static int legendWidth(Chart<?, ?> chart) {
        if (!chart.getStyler().isLegendVisible() || chart.getStyler().getLegendPosition() != Styler.LegendPosition.OutsideE) {
            return 0;
        }
        int chars = chart.getSeriesMap().values().stream().filter(s -> s.isShowInLegend())
                .mapToInt(s -> s.getName().length()).max().orElse(0);
        return 34 + (int) Math.ceil(chars * LABEL.getSize() * 0.55);
    }

    /** A legend with a single entry says nothing the axis titles do not. */
    private static void hideLoneLegend(Chart<?, ?> chart) {
        long shown = chart.getSeriesMap().values().stream().filter(s -> s.isShowInLegend()).count();
        if (shown <= 1) {
            chart.getStyler().setLegendVisible(false);
        }
    }

    /**
     * Pins the x axis to the data's range plus a margin: left to itself, XChart puts a tick at
     * every other data point of an evenly spaced series, which crowds the labels.
     */
    private static void fixXRange(XYChart chart) {
        if (chart.getStyler().getXAxisMin() != null || chart.getStyler().getXAxisMax() != null
                || chart.getStyler().isXAxisLogarithmic()) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double v : s.getXData()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo < hi) {
            // a 2% margin keeps end points off the frame (and out of XChart's one-tick-per-point mode)
            double pad = 0.02 * (hi - lo);
            chart.getStyler().setXAxisMin(lo - pad).setXAxisMax(hi + pad);
        }
    }

    @FunctionalInterface
    private interface Painter {
        void paint(Graphics2D g);
    }

    private static void writePng(Painter painter, int w, int h, Path file) throws IOException {
        double scale = PNG_DPI / 72.0;
        BufferedImage img = new BufferedImage((int) Math.ceil(w * scale), (int) Math.ceil(h * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.scale(scale, scale);
            painter.paint(g);
        } finally {
            g.dispose();
        }
        writeAtomically(file, out -> ImageIO.write(img, "png", out));
    }

    private static void writeSvg(Painter painter, int w, int h, Path file) throws IOException {
        VectorGraphics2D g = new VectorGraphics2D();
        painter.paint(g);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, w, h)).writeTo(raw);
        byte[] compact = compactSvg(raw.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        writeAtomically(file, out -> out.write(compact));
    }

    private static final Pattern LONG_DECIMAL = Pattern.compile("(-?\\d+)\\.(\\d{2})\\d+");
    private static final Pattern TRAILING_ZEROS = Pattern.compile("(\\d+)\\.(\\d?[1-9])?0+(?!\\d)");

    /**
     * Shrinks the SVG text XChart's drawing produces: coordinates rounded to 0.01 pt (far below
     * what a printer resolves), trailing zeros and indentation dropped. Text is drawn as glyph
     * outlines, so most of the file is path data.
     */
    static String compactSvg(String document) {
        int start = Math.max(0, document.indexOf("<svg"));
        String svg = document.substring(start);
        Matcher m = LONG_DECIMAL.matcher(svg);
        StringBuilder b = new StringBuilder(svg.length() / 2);
        while (m.find()) {
            String rounded = new BigDecimal(m.group()).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
            m.appendReplacement(b, rounded);
        }
        m.appendTail(b);
        String out = TRAILING_ZEROS.matcher(b).replaceAll(r -> r.group(2) == null ? r.group(1) : r.group(1) + "." + r.group(2));
        return document.substring(0, start) + out.replaceAll("\\n\\s+", "\n");
    }

    private static void writePdf(Painter painter, int w, int h, Path file) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(new PDRectangle(w, h));
            doc.addPage(page);
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, w, h);
            try {
                painter.paint(g);
            } finally {
                g.dispose();
            }
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawForm(g.getXFormObject());
            }
            writeAtomically(file, doc::save);
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to a temporary file in the same directory and renames it, so a figure is never half-written. */
    private static void writeAtomically(Path file, Writer writer) throws IOException {
        org.gaplab.core.OutputGuard.check(file);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a stale temp file, or a planted link: removed, never followed
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                writer.write(out);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write " + file + ": " + org.gaplab.core.IoReasons.of(e), e);
        }
    }
}
