package org.gaplab.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.Labels;
import org.gaplab.engine.train.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * Issue 28: sweep and compare figures are one column (252 pt) or two (516 pt) wide by design, with
 * readable labels and a log axis for a scale parameter spanning a decade, on negative, log-spaced
 * and single-point data.
 */
class PaperFiguresTest {
    @TempDir
    Path dir;

    private static final int ONE = (int) Math.ceil(Figures.WIDTH * 300 / 72.0);
    private static final int TWO = (int) Math.ceil(Figures.WIDE_WIDTH * 300 / 72.0);

    private static SweepRow row(int i, double tau, long seed, double value) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model.temperature.tau", tau);
        return new SweepRow(i, seed, o, RunStatus.COMPLETED, 10, Map.of("wang_isola_uniformity_1", value, "final_loss", 4.0 + tau));
    }

    private static int width(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getWidth();
    }

    @Test
    void logSpacedNegativeAndSinglePointData() throws Exception {
        assertThat(Figures.logScale("model.temperature.tau", new double[] {0.01, 0.1, 1})).isTrue();
        assertThat(Figures.logScale("model.temperature.tau", new double[] {0.05, 0.1, 0.3})).isFalse();   // less than a decade
        assertThat(Figures.logScale("loss.gap_weight", new double[] {0, 1, 30})).isFalse();           // zero: no log axis
        assertThat(Figures.logScale("optim.lr", new double[] {1e-4, 1e-2})).isTrue();
        assertThat(Figures.logScale("data.sigma", new double[] {0.01, 0.7})).isFalse();               // not a scale parameter
        assertThat(Labels.key("model.temperature.tau")).isEqualTo("temperature τ");
        assertThat(Labels.setting("model.temperature.tau", 0.02)).isEqualTo("τ = 0.02");
        assertThat(Labels.metric("report.centroid_gap")).isEqualTo("centroid gap (gap report)");

        List<SweepRow> rows = new ArrayList<>();
        double[] taus = {0.01, 0.1, 1.0};
        for (int i = 0; i < 6; i++) {
            rows.add(row(i, taus[i / 2], i % 2, -3.5 + 0.1 * i));
        }
        SweepTable t = new SweepTable(rows);
        List<String> written = t.writeFigures(dir.resolve("sweep"), List.of("model.temperature.tau"));
        assertThat(written).contains("wang_isola_uniformity_1_vs_model.temperature.tau");
        assertThat(width(dir.resolve("sweep/wang_isola_uniformity_1_vs_model.temperature.tau.png"))).isIn(ONE, TWO);

        // a single point: a figure all the same
        SweepTable one = new SweepTable(List.of(row(0, 0.1, 0, -2.0)));
        one.writeFigures(dir.resolve("one"), List.of("model.temperature.tau"));
        assertThat(width(dir.resolve("one/wang_isola_uniformity_1_vs_model.temperature.tau.png"))).isEqualTo(ONE);

        // compare: negative values, a single entry, and many panels wrap to two columns
        List<Comparison.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            entries.add(new Comparison.Entry("tau " + taus[i], "sweep", dir.resolve("sw"), 2, Map.of("model.temperature.tau", taus[i]),
                    Map.of("wang_isola_uniformity_1", -3.4 + 0.2 * i, "final_loss", 4.0, "centroid_gap", 0.1, "knn_jeffreys", -0.2),
                    Map.of("wang_isola_uniformity_1", 0.05), List.of()));
        }
        new Comparison(entries).write(dir.resolve("cmp"), List.of("wang_isola_uniformity_1", "final_loss", "centroid_gap", "knn_jeffreys"));
        assertThat(width(dir.resolve("cmp/metrics.png"))).isEqualTo(TWO);
        new Comparison(entries.subList(0, 1)).write(dir.resolve("cmp1"), List.of("wang_isola_uniformity_1"));
        assertThat(width(dir.resolve("cmp1/metrics.png"))).isEqualTo(ONE);
    }
}
