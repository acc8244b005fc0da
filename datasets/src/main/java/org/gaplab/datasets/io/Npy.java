package org.gaplab.datasets.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0): a magic string, a Python-literal
 * header {@code {'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }} and the raw values.
 *
 * <p>Reads float32, float64, int32 and int64 in either byte order and in C or Fortran order
 * (returned in C order); other dtypes (float16, bool, strings, objects, structured arrays) are
 * rejected by name. Floating values must be finite. Writes float32 or float64 in C order,
 * little endian, version 1.0.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final int BLOCK = 1 << 16;

    private Npy() {}

    /**
     * Reads a {@code .npy} file.
     *
     * @param file the file
     * @return its array
     * @throws MatrixFileException naming the file when it is missing, empty, malformed or unsupported
     */
    public static Matrix read(Path file) {
        String source = file.toString();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BLOCK)) {
            long size = Files.size(file);
            if (size == 0) {
                throw new MatrixFileException(source, "file is empty");
            }
            return read(in, source, size);
        } catch (NoSuchFileException e) {
            throw new MatrixFileException(source, "no such file");
        } catch (IOException e) {
            throw new MatrixFileException(source, "cannot read: " + org.gaplab.core.IoReasons.of(e), e);
        }
    }

    /**
     * Reads one {@code .npy} array from a stream (e.g. an entry of a {@code .npz} archive).
     *
     * @param in the stream, positioned at the magic string; not closed
     * @param source name for error messages
     * @return its array
     * @throws IOException on read errors
     * @throws MatrixFileException when the content is malformed or unsupported
     */
    public static Matrix read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /**
     * Reads one {@code .npy} array of known size from a stream. Nothing is allocated for the values
     * before the size the header declares is checked against {@code size} (the file's or the zip
     * entry's real length) and against the Java heap, so a 192-byte file declaring 2^30 values, a
     * negative or overflowing shape, or a zip bomb is a one-line error naming the file.
     *
     * @param in the stream, positioned at the magic string; not closed
     * @param source name for error messages
     * @param size bytes of the whole .npy (header and data), or -1 when unknown (the heap bound still applies)
     * @return its array
     * @throws IOException on read errors
     * @throws MatrixFileException when the content is malformed, unsupported or larger than the file
     */
    public static Matrix read(InputStream in, String source, long size) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (magic.length == 0) {
            throw new MatrixFileException(source, "file is empty");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= magic.length || magic[i] != MAGIC[i]) {
                throw new MatrixFileException(source, "not a .npy file (the NumPy magic string is missing)");
            }
        }
        int major = readByte(in, source);
        readByte(in, source); // minor version: no format difference we depend on
        int headerLength;
        if (major == 1) {
            headerLength = readByte(in, source) | (readByte(in, source) << 8);
        } else if (major == 2 || major == 3) {
            byte[] b = readExactly(in, 4, source, "header length");
            headerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new MatrixFileException(source, "unsupported .npy format version " + major);
        }
        if (headerLength <= 0 || headerLength > 1 << 20) {
            throw new MatrixFileException(source, "corrupt .npy header length " + headerLength);
        }
        String header = new String(readExactly(in, headerLength, source, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = parseHeader(header, source);
        long count = 1;
        for (long s : h.shape) {
            if (s < 0) {
                throw new MatrixFileException(source, "the header declares a negative dimension in its shape "
                        + java.util.Arrays.toString(h.shape));
            }
            count = org.gaplab.core.Sizes.product(count, s);
        }
        long declared = org.gaplab.core.Sizes.product(count, h.itemSize);
        long consumed = MAGIC.length + 2 + (major == 1 ? 2 : 4) + (long) headerLength;
        if (size >= 0 && declared > size - consumed) {
            throw new MatrixFileException(source, "truncated: expected " + (count == Long.MAX_VALUE ? "more than 2^63" : Long.toString(count))
                    + " values of " + h.dtypeName + " (the header's shape " + java.util.Arrays.toString(h.shape) + ", "
                    + (declared == Long.MAX_VALUE ? "over 8 EiB" : org.gaplab.core.Sizes.human(declared)) + ") but the file holds only "
                    + Math.max(0, size - consumed) + " bytes of data; the file is cut short or its header is corrupt");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new MatrixFileException(source, "array too large: " + count + " values (gaplab reads at most 2^31 - 9 per file)");
        }
        long need = org.gaplab.core.Sizes.product(count, Double.BYTES);
        long headroom = org.gaplab.core.Sizes.heapHeadroom();
        if (need > headroom) {
            throw new MatrixFileException(source, "holding its " + count + " values as float64 needs " + org.gaplab.core.Sizes.human(need)
                    + " of Java heap, more than the " + org.gaplab.core.Sizes.human(headroom) + " this process can claim"
                    + " (raise it with GAPLAB_JAVA_OPTS=-Xmx...)");
        }
        double[] values = readValues(in, (int) count, h, source);
        if (h.fortranOrder && h.shape.length > 1) {
            values = fortranToC(values, h.shape);
        }
        return new Matrix(source, h.shape, values, h.dtypeName);
    }

    private record Header(ByteOrder order, char kind, int itemSize, String dtypeName, boolean fortranOrder, long[] shape) {}

    private static Header parseHeader(String header, String source) {
        if (header.contains("'descr': [") || header.contains("'descr':[")) {
            throw new MatrixFileException(source, "unsupported dtype: structured array (gaplab reads float32, float64, int32, int64)");
        }
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new MatrixFileException(source, "malformed .npy header: " + header.trim());
        }
        String descr = d.group(1);
        if (descr.length() < 3) {
            throw new MatrixFileException(source, "unsupported dtype '" + descr + "'");
        }
        char orderChar = descr.charAt(0);
        char kind = descr.charAt(1);
        String sizeText = descr.substring(2);
        ByteOrder order = switch (orderChar) {
            case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> throw new MatrixFileException(source, "unsupported dtype '" + descr + "'");
        };
        String name = switch (kind + sizeText) {
            case "f4" -> "float32";
            case "f8" -> "float64";
            case "i4" -> "int32";
            case "i8" -> "int64";
            default -> throw new MatrixFileException(source, "unsupported dtype '" + descr
                    + "' (gaplab reads float32, float64, int32, int64; convert with numpy's astype)");
        };
        String[] dims = s.group(1).split(",");
        int rank = 0;
        long[] shape = new long[dims.length];
        for (String dim : dims) {
            String t = dim.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                shape[rank++] = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new MatrixFileException(source, "malformed shape (" + s.group(1) + ") in .npy header");
            }
        }
        long[] trimmed = java.util.Arrays.copyOf(shape, rank);
        return new Header(order, kind, Integer.parseInt(sizeText), name, f.group(1).equals("True"), trimmed);
    }

    private static double[] readValues(InputStream in, int count, Header h, String source) throws IOException {
        double[] out = new double[count];
        boolean floating = h.kind == 'f';
        int perBlock = BLOCK / h.itemSize;
        byte[] block = new byte[perBlock * h.itemSize];
        int done = 0;
        while (done < count) {
            int n = Math.min(perBlock, count - done);
            int got = in.readNBytes(block, 0, n * h.itemSize);
            if (got < n * h.itemSize) {
                throw new MatrixFileException(source, "truncated: expected " + count + " values of " + h.dtypeName
                        + ", file ends after " + (done + got / h.itemSize));
            }
            ByteBuffer buf = ByteBuffer.wrap(block, 0, n * h.itemSize).order(h.order);
            for (int i = 0; i < n; i++) {
                double v = switch (h.dtypeName) {
                    case "float32" -> buf.getFloat();
                    case "float64" -> buf.getDouble();
                    case "int32" -> buf.getInt();
                    default -> (double) buf.getLong();
                };
                if (floating && !Double.isFinite(v)) {
                    throw new MatrixFileException(source, "contains " + (Double.isNaN(v) ? "NaN" : "Inf")
                            + " at " + position(done + i, h.shape, h.fortranOrder) + " (embeddings and features must be finite)");
                }
                out[done + i] = v;
            }
            done += n;
        }
        return out;
    }

    /**
     * Where the value at file position {@code k} sits, counted from 0: "row 3, column 1" for a
     * matrix, "element 3" for a vector, "index [i, j, k]" otherwise.
     */
    static String position(long k, long[] shape, boolean fortranOrder) {
        int rank = shape.length;
        if (rank == 0) {
            return "the scalar";
        }
        long[] idx = new long[rank];
        long rest = k;
        for (int a = 0; a < rank; a++) {
            int axis = fortranOrder ? a : rank - 1 - a; // the fastest-varying axis first
            long n = Math.max(1, shape[axis]);
            idx[axis] = rest % n;
            rest /= n;
        }
        if (rank == 1) {
            return "element " + idx[0];
        }
        if (rank == 2) {
            return "row " + idx[0] + ", column " + idx[1];
        }
        return "index " + java.util.Arrays.toString(idx);
    }

    /** Reorders column-major values to row-major for any rank. */
    private static double[] fortranToC(double[] values, long[] shape) {
        int rank = shape.length;
        double[] out = new double[values.length];
        int[] idx = new int[rank];
        long[] fStride = new long[rank];
        fStride[0] = 1;
        for (int a = 1; a < rank; a++) {
            fStride[a] = fStride[a - 1] * shape[a - 1];
        }
        // walk C order with an odometer over the indices, reading at the Fortran offset
        for (int c = 0; c < values.length; c++) {
            long off = 0;
            for (int a = 0; a < rank; a++) {
                off += idx[a] * fStride[a];
            }
            out[c] = values[(int) off];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < shape[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return out;
    }

    private static int readByte(InputStream in, String source) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new MatrixFileException(source, "truncated .npy header");
        }
        return b;
    }

    private static byte[] readExactly(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new MatrixFileException(source, "truncated .npy " + what);
        }
        return b;
    }

    /**
     * Writes an array as {@code .npy} (C order, little endian), atomically (temp file + rename).
     *
     * @param file destination
     * @param matrix the values; stored as float64 or int64 when its dtype says so, else float32
     */
    public static void write(Path file, Matrix matrix) {
        String descr = "float64".equals(matrix.dtype()) ? "<f8" : "int64".equals(matrix.dtype()) ? "<i8" : "<f4";
        writeValues(file, matrix.shape(), descr, matrix.data());
    }

    /**
     * Writes integers (e.g. row indices) as an int64 {@code .npy} vector.
     *
     * @param file destination
     * @param values the integers
     */
    public static void writeLongs(Path file, long[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            if (Math.abs(values[i]) > (1L << 53)) {
                throw new IllegalArgumentException("value " + values[i] + " is too large to write exactly");
            }
            d[i] = values[i];
        }
        writeValues(file, new long[] {values.length}, "<i8", d);
    }

    /**
     * Writes an NDArray as {@code .npy}, in float32 unless it is float64 (one host copy).
     *
     * @param file destination
     * @param array the values
     */
    public static void write(Path file, NDArray array) {
        boolean f64 = array.getDataType() == DataType.FLOAT64;
        double[] values;
        try (NDArray asDouble = array.toType(DataType.FLOAT64, true)) {
            values = asDouble.toDoubleArray(); // the one host copy
        }
        writeValues(file, array.getShape().getShape(), f64 ? "<f8" : "<f4", values);
    }

    private static void writeValues(Path file, long[] shape, String descr, double[] values) {
        boolean wide = !"<f4".equals(descr);
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = String.format(Locale.ROOT, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                descr, shapeText);
        // header padded with spaces so the data starts on a 64-byte boundary, ending in '\n'
        int total = MAGIC.length + 4 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        org.gaplab.core.OutputGuard.check(file);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // created with the process umask (usually 0644) like every other output, not createTempFile's 0600
            Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
            try {
                try (OutputStream os = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, BLOCK))) {
                    out.write(MAGIC);
                    out.write(1);
                    out.write(0);
                    out.write(header.length() & 0xff);
                    out.write(header.length() >>> 8);
                    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
                    ByteBuffer buf = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
                    for (double v : values) {
                        if (buf.remaining() < 8) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        if ("<i8".equals(descr)) {
                            buf.putLong((long) v);
                        } else if (wide) {
                            buf.putDouble(v);
                        } else {
                            buf.putFloat((float) v);
                        }
                    }
                    out.write(buf.array(), 0, buf.position());
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new MatrixFileException(file.toString(), "cannot write: " + org.gaplab.core.IoReasons.of(e), e);
        }
    }
}
