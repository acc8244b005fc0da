package org.gaplab.datasets.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an array named on a command line, choosing the reader by extension:
 * {@code FILE.npy}, {@code FILE.npz} (the archive must hold exactly one array) or
 * {@code FILE.npz:NAME} (one named array of it), {@code FILE.csv}/{@code .tsv}/{@code .txt}.
 */
public final class MatrixFiles {
    private MatrixFiles() {}

    /**
     * Reads one array.
     *
     * @param spec a path, optionally {@code ARCHIVE.npz:NAME}
     * @return the array
     * @throws MatrixFileException naming the file on any problem
     */
    public static Matrix read(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        int colon = lower.lastIndexOf(".npz:");
        if (colon >= 0) {
            Path file = Path.of(spec.substring(0, colon + 4));
            String name = spec.substring(colon + 5);
            Map<String, Matrix> arrays = Npz.read(file);
            Matrix m = arrays.get(name);
            if (m == null) {
                throw new MatrixFileException(file.toString(), "no array named '" + name + "' (it holds " + arrays.keySet() + ")");
            }
            return m;
        }
        Path file = Path.of(spec);
        if (lower.endsWith(".npy")) {
            return Npy.read(file);
        }
        if (lower.endsWith(".npz")) {
            Map<String, Matrix> arrays = Npz.read(file);
            if (arrays.size() != 1) {
                throw new MatrixFileException(spec, "holds " + arrays.size() + " arrays " + arrays.keySet()
                        + "; name one as " + file.getFileName() + ":NAME");
            }
            return arrays.values().iterator().next();
        }
        if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".txt")) {
            return Csv.read(file);
        }
        throw new MatrixFileException(spec, "unknown format (expected .npy, .npz, .npz:NAME, .csv, .tsv or .txt)");
    }
}
