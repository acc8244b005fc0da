package org.gaplab.datasets.paired;

import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFileException;

/**
 * A finite paired dataset held on the host: n1 items of modality 1 ({@code x}, {@code [n1, dimX]}),
 * n2 items of modality 2 ({@code y}, {@code [n2, dimY]}), and for each y row the x row it belongs to
 * ({@code partner}, so several y rows may share one x item, as COCO's five captions share an image).
 * Optional class labels are given per x item. Immutable once built; every check fails with one line
 * naming the file.
 */
public final class PairedData {
    private final float[] x;
    private final float[] y;
    private final int n1;
    private final int n2;
    private final int dimX;
    private final int dimY;
    private final int[] partner;
    private final int[] labels;

    private PairedData(float[] x, int n1, int dimX, float[] y, int n2, int dimY, int[] partner, int[] labels) {
        this.x = x;
        this.y = y;
        this.n1 = n1;
        this.n2 = n2;
        this.dimX = dimX;
        this.dimY = dimY;
        this.partner = partner;
        this.labels = labels;
    }

    /**
     * Pairs two feature matrices.
     *
     * @param x modality 1, a {@code [n1, dimX]} matrix
     * @param y modality 2, a {@code [n2, dimY]} matrix
     * @param pairs for each y row the x row it belongs to (length n2, values in [0, n1)), or null to
     *     pair rows by index (then n1 = n2)
     * @param labels one non-negative integer class per x row, or null
     * @return the dataset
     * @throws MatrixFileException naming the offending file
     */
    public static PairedData of(Matrix x, Matrix y, Matrix pairs, Matrix labels) {
        x.requireMatrix("features");
        y.requireMatrix("features");
        int n1 = x.rows();
        int n2 = y.rows();
        int[] partner;
        if (pairs == null) {
            if (n1 != n2) {
                throw new MatrixFileException(y.source(), "has " + n2 + " rows but " + x.source() + " has " + n1
                        + "; pairing by index needs equal row counts (or give an index array as data.pairs)");
            }
            partner = identity(n1);
        } else {
            partner = pairs.requireIndexVector("pairs");
            if (partner.length != n2) {
                throw new MatrixFileException(pairs.source(), "has " + partner.length + " entries but " + y.source() + " has "
                        + n2 + " rows; it needs one x row index per y row");
            }
            for (int j = 0; j < n2; j++) {
                if (partner[j] >= n1) {
                    throw new MatrixFileException(pairs.source(), "entry " + j + " is " + partner[j] + ", outside the "
                            + n1 + " rows of " + x.source());
                }
            }
        }
        int[] classes = null;
        if (labels != null) {
            classes = labels.requireIndexVector("labels");
            if (classes.length != n1) {
                throw new MatrixFileException(labels.source(), "has " + classes.length + " labels but " + x.source()
                        + " has " + n1 + " rows; labels are one integer class per x row");
            }
        }
        return new PairedData(toFloats(x), n1, x.cols(), toFloats(y), n2, y.cols(), partner, classes);
    }

    /**
     * Pairs two float tables row by row (already validated, e.g. a bundled dataset).
     *
     * @param x {@code n * dimX} values, row-major
     * @param dimX features per x row
     * @param y {@code n * dimY} values, row-major
     * @param dimY features per y row
     * @param labels one class per row, or null
     * @return the dataset
     */
    public static PairedData byIndex(float[] x, int dimX, float[] y, int dimY, int[] labels) {
        int n = x.length / dimX;
        if (n * dimX != x.length || n * dimY != y.length || n == 0 || (labels != null && labels.length != n)) {
            throw new IllegalArgumentException("inconsistent paired tables: " + x.length + " / " + dimX + " vs " + y.length
                    + " / " + dimY + (labels == null ? "" : " with " + labels.length + " labels"));
        }
        return new PairedData(x, n, dimX, y, n, dimY, identity(n), labels == null ? null : labels.clone());
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static float[] toFloats(Matrix m) {
        double[] d = m.data();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
            if (!Float.isFinite(f[i])) {
                throw new MatrixFileException(m.source(), "value " + d[i] + " at row " + i / Math.max(1, m.cols()) + ", column "
                        + i % Math.max(1, m.cols()) + " overflows float32");
            }
        }
        return f;
    }

    /** @return n1, the number of x items */
    public int rowsX() {
        return n1;
    }

    /** @return n2, the number of y items (= number of pairs) */
    public int rowsY() {
        return n2;
    }

    /** @return features per x row */
    public int dimX() {
        return dimX;
    }

    /** @return features per y row */
    public int dimY() {
        return dimY;
    }

    /** @return x values, row-major (not copied: do not modify) */
    float[] xValues() {
        return x;
    }

    /** @return y values, row-major (not copied: do not modify) */
    float[] yValues() {
        return y;
    }

    /** @return the x row of y row j */
    public int partner(int j) {
        return partner[j];
    }

    /** @return whether class labels were given */
    public boolean hasLabels() {
        return labels != null;
    }

    /** @return the class of x row i (0 when there are no labels) */
    public int label(int i) {
        return labels == null ? 0 : labels[i];
    }
}
