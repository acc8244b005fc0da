package org.gaplab.engine.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

class FiguresTest {
    @TempDir
    Path dir;

    @Test
    void tickLabelsAreShortWithLeadingZerosAndATrueMinus() {
        assertThat(Figures.tick(-3.097959422289935)).isEqualTo("\u22123.098");
        assertThat(Figures.tick(0.045)).isEqualTo("0.045");
        assertThat(Figures.tick(1.0)).isEqualTo("1");
        assertThat(Figures.tick(2000)).isEqualTo("2000");
        assertThat(Figures.tick(1e-13)).isEqualTo("0");
        assertThat(Figures.tick(2.5e-5)).isEqualTo("2.5e\u22125");
        assertThat(Figures.tick(-1.2e6)).isEqualTo("\u22121.2e6");
        assertThat(Figures.tick(0.1 + 0.2)).isEqualTo("0.3");
    }

    @Test
    void svgCoordinatesAreRoundedAndTheXmlDeclarationIsKept() {
        String in = "<?xml version=\"1.0\"?>\n<svg>\n    <path d=\"M-8.75,-1.109375 L12.500000,3.0\"/>\n</svg>";
        String out = Figures.compactSvg(in);
        assertThat(out).startsWith("<?xml version=\"1.0\"?>").contains("d=\"M-8.75,-1.11 L12.5,3\"").doesNotContain("\n    ");
    }

    @Test
    void aChartIsWrittenAsPngSvgAndPdfAtColumnWidth() throws Exception {
        XYChart c = Figures.lineChart("t", "x", "y");
        double[] x = new double[200];
        double[] y = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            y[i] = Math.sin(i / 10.0);
        }
        Figures.addLine(c, "a", x, y, null);
        Figures.addLine(c, "b", x, y, null);
        Figures.save(c, dir.resolve("f"));
        BufferedImage png = ImageIO.read(dir.resolve("f.png").toFile());
        // 300 dpi: a legend beside the column makes the figure two columns wide, by design never in between
        assertThat(png.getWidth()).isEqualTo((int) Math.ceil(Figures.WIDE_WIDTH * 300 / 72.0));
        assertThat(png.getHeight()).isEqualTo((int) Math.ceil(Figures.HEIGHT * 300 / 72.0));
        String svg = Files.readString(dir.resolve("f.svg"));
        assertThat(svg).contains("<svg").doesNotContainPattern("\\d\\.\\d{3,}");
        assertThat(Files.size(dir.resolve("f.svg"))).isLessThan(150_000);
        byte[] pdf = Files.readAllBytes(dir.resolve("f.pdf"));
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        try (var doc = org.apache.pdfbox.Loader.loadPDF(dir.resolve("f.pdf").toFile())) {
            // the page is the figure at its size in points, the same drawing as the PNG
            assertThat(doc.getNumberOfPages()).isEqualTo(1);
            assertThat(doc.getPage(0).getMediaBox().getHeight()).isEqualTo(Figures.HEIGHT);
            assertThat(doc.getPage(0).getMediaBox().getWidth() * 300 / 72).isCloseTo(png.getWidth(), org.assertj.core.api.Assertions.within(1.0f));
        }
    }

    @Test
    void smallMultiplesPutPanelsInAGrid() throws Exception {
        List<XYChart> panels = List.of(Figures.lineChart("a", "x", "y"), Figures.lineChart("b", "x", "y"),
                Figures.lineChart("c", "x", "y"));
        for (XYChart p : panels) {
            Figures.addLine(p, "only", new double[] {0, 1}, new double[] {0, 1}, null);
        }
        Figures.saveGrid(panels, 2, dir.resolve("g"));
        BufferedImage png = ImageIO.read(dir.resolve("g.png").toFile());
        // one series per panel, no legend: two columns of panels are the two-column width (516 pt)
        assertThat(png.getWidth()).isEqualTo((int) Math.ceil(Figures.WIDE_WIDTH * 300 / 72.0));
        assertThat(png.getHeight()).isEqualTo((int) Math.ceil(2 * Figures.HEIGHT * 300 / 72.0));
    }
}
