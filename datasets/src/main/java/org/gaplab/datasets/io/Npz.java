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
        String source = file.toString();
        if (!Files.exists(file)) {
            throw new MatrixFileException(source, "no such file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new MatrixFileException(source, "file is empty");
            }
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + e.getMessage(), e);
        }
        Map<String, Matrix> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
                    out.put(name, Npy.read(in, source + ":" + name));
                }
            }
        } catch (ZipException e) {
            throw new MatrixFileException(source, "not a .npz (zip) archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new MatrixFileException(source, "archive holds no arrays");
        }
        return out;
    }
}
