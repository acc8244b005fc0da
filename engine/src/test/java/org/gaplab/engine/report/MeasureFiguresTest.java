package org.gaplab.engine.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

/** The figures of {@code measure --out}: one column wide with the legend, on ordinary, negative and single-point data. */
class MeasureFiguresTest {
    private static final int COLUMN_PX = (int) Math.ceil(Figures.WIDTH * 300 / 72.0);

    private static void assertOneColumn(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isLessThanOrEqualTo(COLUMN_PX + 1);
        assertThat(Files.exists(Path.of(png.toString().replace(".png", ".svg")))).isTrue();
        assertThat(Files.exists(Path.of(png.toString().replace(".png", ".pdf")))).isTrue();
    }

    private static GapReport.ShiftResult shift(double[] deltas, double[] losses) {
        List<GapReport.ShiftPoint> points = new ArrayList<>();
        for (int i = 0; i < deltas.length; i++) {
            points.add(new GapReport.ShiftPoint(deltas[i], Math.abs(0.5 - deltas[i] / 2), 0.5 - deltas[i] / 2, new double[] {losses[i], losses[i] - 1}, 0.3, 0.4));
        }
        return new GapReport.ShiftResult(0.5, 64, "test", new double[] {0.01, 0.1}, points,
                List.of(new GapReport.ShiftMinimum(0.01, 0, 0.5, 0.4, 0.6, false, false)));
    }

    @Test
    void theShiftFigureFitsOneColumnWithNegativeAndSinglePointData(@TempDir Path dir) throws Exception {
        MeasureFigures.shift(shift(new double[] {-0.2, 0, 0.2, 0.4}, new double[] {-1.5, -2, -1.8, -1.2}), dir.resolve("shift"));
        assertOneColumn(dir.resolve("shift.png"));
        MeasureFigures.shift(shift(new double[] {0}, new double[] {3}), dir.resolve("one"));
        assertOneColumn(dir.resolve("one.png"));
    }

    @Test
    void theEmbeddingFiguresFitOneColumn(@TempDir Path dir) throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] a = new double[50][3];
        double[][] b = new double[50][3];
        double[] cos = new double[50];
        for (int i = 0; i < 50; i++) {
            for (int j = 0; j < 3; j++) {
                a[i][j] = rng.nextGaussian();
                b[i][j] = rng.nextGaussian() + 1;
            }
            cos[i] = 2 * rng.nextDouble() - 1;
        }
        MeasureFigures.embeddings(new MeasureView(a, b, cos, cos, cos, new double[] {0.5}), "test", dir);
        assertOneColumn(dir.resolve("cosines.png"));
        assertThat(Files.exists(dir.resolve("embeddings.png"))).isTrue();
    }
}
