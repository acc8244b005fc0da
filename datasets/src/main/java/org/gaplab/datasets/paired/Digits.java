package org.gaplab.datasets.paired;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * The UCI optical recognition of handwritten digits data (Alpaydin and Kaynak, UCI Machine Learning
 * Repository, 1998; CC BY 4.0), bundled as the resource {@code org/gaplab/datasets/digits/digits.csv.gz} with its
 * notice: 1,797 images of 8x8 pixel counts in 0..16, ten classes. Pixels are scaled to [0, 1].
 */
public final class Digits {
    /** Number of images. */
    public static final int IMAGES = 1797;
    /** Pixels per image. */
    public static final int PIXELS = 64;
    /** Side of an image. */
    public static final int SIDE = 8;
    private static final String RESOURCE = "/org/gaplab/datasets/digits/digits.csv.gz";
    private static volatile Table table;

    private Digits() {}

    /** The parsed file: pixels scaled to [0, 1] (row-major per image) and labels. */
    record Table(float[] pixels, int[] labels) {}

    /** @return the images and labels, parsed once per JVM */
    static Table table() {
        Table t = table;
        if (t == null) {
            synchronized (Digits.class) {
                if (table == null) {
                    table = read();
                }
                t = table;
            }
        }
        return t;
    }

    /**
     * @param views how to split each image
     * @return x = first view, y = second view, labels = digits; 32 features per view
     */
    public static PairedData paired(DigitsConfig.Views views) {
        Table t = table();
        int half = PIXELS / 2;
        float[] x = new float[IMAGES * half];
        float[] y = new float[IMAGES * half];
        for (int i = 0; i < IMAGES; i++) {
            int a = 0;
            int b = 0;
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    float v = t.pixels()[i * PIXELS + r * SIDE + c];
                    boolean first = views == DigitsConfig.Views.LEFT_RIGHT ? c < SIDE / 2 : r < SIDE / 2;
                    if (first) {
                        x[i * half + a++] = v;
                    } else {
                        y[i * half + b++] = v;
                    }
                }
            }
        }
        return PairedData.byIndex(x, half, y, half, t.labels());
    }

    private static Table read() {
        float[] pixels = new float[IMAGES * PIXELS];
        int[] labels = new int[IMAGES];
        try (InputStream raw = Digits.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("bundled resource " + RESOURCE + " is missing from the gaplab-datasets jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            int row = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != PIXELS + 1 || row >= IMAGES) {
                    throw new IllegalStateException(RESOURCE + ": unexpected line " + (row + 1));
                }
                for (int k = 0; k < PIXELS; k++) {
                    pixels[row * PIXELS + k] = Float.parseFloat(f[k]) / 16f;
                }
                labels[row] = Integer.parseInt(f[PIXELS].strip());
                row++;
            }
            if (row != IMAGES) {
                throw new IllegalStateException(RESOURCE + ": " + row + " images, expected " + IMAGES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + RESOURCE + ": " + e.getMessage(), e);
        }
        return new Table(pixels, labels);
    }
}
