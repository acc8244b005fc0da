package org.gaplab.datasets.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Numeric CSV: one row per line, values separated by commas, semicolons, tabs or spaces; an
 * optional header on the first line (recognised because a field is not a number); blank lines
 * and lines starting with {@code #} are skipped. Every row must have the same number of values,
 * and every value must be a finite number. The result is a {@code [rows, cols]} float64 matrix.
 */
public final class Csv {
    private static final Pattern SEPARATOR = Pattern.compile("\\s*[,;\\t]\\s*|\\s+");

    private Csv() {}

    /**
     * Reads a CSV file.
     *
     * @param file the file
     * @return its matrix
     * @throws MatrixFileException naming the file (and line) on any problem
     */
    public static Matrix read(Path file) {
        String source = file.toString();
        DoubleBuffer values = new DoubleBuffer();
        int cols = -1;
        int rows = 0;
        int lineNo = 0;
        boolean sawContent = false;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] fields = SEPARATOR.split(t);
                double[] row = new double[fields.length];
                String bad = null;
                for (int i = 0; i < fields.length && bad == null; i++) {
                    try {
                        row[i] = Double.parseDouble(fields[i]);
                    } catch (NumberFormatException e) {
                        bad = fields[i];
                    }
                }
                if (bad != null) {
                    if (!sawContent) {
                        sawContent = true; // a header line: names of the columns
                        continue;
                    }
                    throw new MatrixFileException(source, "line " + lineNo + ": '" + bad + "' is not a number");
                }
                sawContent = true;
                if (cols < 0) {
                    cols = row.length;
                } else if (row.length != cols) {
                    throw new MatrixFileException(source, "line " + lineNo + " has " + row.length + " values, expected " + cols);
                }
                for (int i = 0; i < row.length; i++) {
                    if (!Double.isFinite(row[i])) {
                        throw new MatrixFileException(source, "line " + lineNo + " contains " + (Double.isNaN(row[i]) ? "NaN" : "Inf")
                                + " (embeddings and features must be finite)");
                    }
                    values.add(row[i]);
                }
                rows++;
            }
        } catch (NoSuchFileException e) {
            throw new MatrixFileException(source, "no such file");
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + org.gaplab.core.IoReasons.of(e), e);
        }
        if (lineNo == 0) {
            throw new MatrixFileException(source, "file is empty");
        }
        if (rows == 0) {
            throw new MatrixFileException(source, "zero rows (only a header, blank lines or comments)");
        }
        return new Matrix(source, new long[] {rows, cols}, values.toArray(), "float64");
    }

    /** A growable double array, so large files do not box every value. */
    private static final class DoubleBuffer {
        private double[] a = new double[1024];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = v;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
