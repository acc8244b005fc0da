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
        try {
            return readChecked(spec);
        } catch (OutOfMemoryError e) {
            // a last resort: the readers bound what they allocate, but the heap is shared with the rest of the process
            throw new MatrixFileException(spec, "too large for the Java heap (raise it with GAPLAB_JAVA_OPTS=-Xmx...)");
        } catch (NegativeArraySizeException | ArithmeticException e) {
            throw new MatrixFileException(spec, "declares an impossible size: " + e.getMessage());
        }
    }

    private static Matrix readChecked(String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        int colon = lower.lastIndexOf(".npz:");
        if (colon >= 0) {
            Path file = Path.of(spec.substring(0, colon + 4));
            String name = spec.substring(colon + 5);
            java.util.List<String> names = Npz.names(file);
            if (!names.contains(name)) {
                throw new MatrixFileException(file.toString(), "no array named '" + name + "' (it holds " + names + ")");
            }
            return Npz.read(file, name).get(name);
        }
        Path file = Path.of(spec);
        if (lower.endsWith(".npy")) {
            return Npy.read(file);
        }
        if (lower.endsWith(".npz")) {
            java.util.List<String> names = Npz.names(file);
            if (names.size() != 1) {
                throw new MatrixFileException(spec, "holds " + names.size() + " arrays " + names
                        + "; name one as " + file.getFileName() + ":NAME");
            }
            return Npz.read(file, names.get(0)).values().iterator().next();
        }
        if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".txt")) {
            return Csv.read(file);
        }
        throw new MatrixFileException(spec, "unknown format (expected .npy, .npz, .npz:NAME, .csv, .tsv or .txt)");
    }
}
