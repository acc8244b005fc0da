package org.gaplab.datasets.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * NumPy's {@code .npz} archives ({@code np.savez} stores entries, {@code np.savez_compressed}
 * deflates them): a zip file of {@code NAME.npy} entries, each read with {@link Npy}.
 */
public final class Npz {
    private Npz() {}

    /**
     * Reads every array of an archive.
     *
     * @param file the archive
     * @return arrays by name (the entry name without {@code .npy}), in archive order
     * @throws MatrixFileException naming the file (and entry) on any problem
     */
    public static Map<String, Matrix> read(Path file) {
        return read(file, null);
    }

    /**
     * Names of an archive's arrays, read from its central directory (no entry is inflated).
     *
     * @param file the archive
     * @return the names, in archive order
     * @throws MatrixFileException naming the file on any problem
     */
    public static java.util.List<String> names(Path file) {
        requireFile(file);
        java.util.List<String> out = new java.util.ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!e.isDirectory()) {
                    out.add(arrayName(e));
                }
            }
        } catch (ZipException e) {
            throw new MatrixFileException(file.toString(), "not a .npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MatrixFileException(file.toString(), "cannot read: " + org.gaplab.core.IoReasons.of(e), e);
        }
        if (out.isEmpty()) {
            throw new MatrixFileException(file.toString(), "archive holds no arrays");
        }
        return out;
    }

    private static String arrayName(ZipEntry e) {
        return e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
    }

    private static void requireFile(Path file) {
        String source = file.toString();
        if (!Files.exists(file)) {
            throw new MatrixFileException(source, "no such file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new MatrixFileException(source, "file is empty");
            }
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + org.gaplab.core.IoReasons.of(e), e);
        }
    }

    /**
     * Reads the arrays of an archive, or only the one named. Each entry is read through a stream
     * bounded by its recorded size, and the size its header declares is checked against that before
     * anything is allocated ({@link Npy#read(InputStream, String, long)}), so a zip bomb is refused
     * by name.
     *
     * @param file the archive
     * @param only the one array to read, or null for all
     * @return arrays by name, in archive order
     * @throws MatrixFileException naming the file (and entry) on any problem
     */
    public static Map<String, Matrix> read(Path file, String only) {
        String source = file.toString();
        requireFile(file);
        Map<String, Matrix> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = arrayName(e);
                if (only != null && !only.equals(name)) {
                    continue;
                }
                long size = e.getSize();
                InputStream raw = zip.getInputStream(e);
                try (InputStream in = new BufferedInputStream(size >= 0 ? new Bounded(raw, size) : raw, 1 << 16)) {
                    out.put(name, Npy.read(in, source + ":" + name, size));
                }
            }
        } catch (ZipException e) {
            throw new MatrixFileException(source, "not a .npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + org.gaplab.core.IoReasons.of(e), e);
        }
        if (out.isEmpty() && only == null) {
            throw new MatrixFileException(source, "archive holds no arrays");
        }
        return out;
    }

    /** Reads at most {@code limit} bytes of an entry: no more than its recorded size is ever inflated. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
