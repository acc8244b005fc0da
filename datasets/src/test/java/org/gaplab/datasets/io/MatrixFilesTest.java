package org.gaplab.datasets.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Readers and the writer of .npy/.npz/CSV: every supported layout, and every rejection. */
class MatrixFilesTest {
    @TempDir
    Path dir;

    /** A .npy file as NumPy writes it: magic, version, header, raw values. */
    static byte[] npy(int major, String descr, boolean fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        int pad = (64 - (prefix + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) header.length);
        } else {
            b.putInt(header.length);
        }
        b.put(header).put(data);
        return b.array();
    }

    static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsEveryDtypeOrderAndVersion() throws IOException {
        // big-endian float64, C order, [2, 2]
        Matrix be = Npy.read(file("be.npy", npy(1, ">f8", false, "(2, 2)", doubles(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4))));
        assertThat(be.data()).containsExactly(1, 2, 3, 4);
        assertThat(be.dtype()).isEqualTo("float64");
        // Fortran order int32 [2, 3]: stored column by column, returned row-major
        Matrix f = Npy.read(file("f.npy", npy(1, "<i4", true, "(2, 3)", ints(1, 4, 2, 5, 3, 6))));
        assertThat(f.shape()).containsExactly(2, 3);
        assertThat(f.data()).containsExactly(1, 2, 3, 4, 5, 6);
        // int64 vector, version 2.0 header
        ByteBuffer l = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(0).putLong(1L << 40);
        Matrix v = Npy.read(file("l.npy", npy(2, "<i8", false, "(3,)", l.array())));
        assertThat(v.rank()).isEqualTo(1);
        assertThat(v.data()).containsExactly(7, 0, 1L << 40);
        // 2^40 does not fit an index into an int array: rejected, not wrapped
        assertThatThrownBy(() -> v.requireIndexVector("pairs")).hasMessageContaining("non-negative integers");
    }

    @Test
    void writeThenReadRoundTrips() {
        double[] values = {0.5, -1.25, 3, 1e-7, 2, 8};
        Npy.write(dir.resolve("x32.npy"), new Matrix("x", new long[] {3, 2}, values, "float32"));
        Npy.write(dir.resolve("x64.npy"), new Matrix("x", new long[] {3, 2}, values, "float64"));
        Matrix m32 = Npy.read(dir.resolve("x32.npy"));
        Matrix m64 = Npy.read(dir.resolve("x64.npy"));
        assertThat(m32.dtype()).isEqualTo("float32");
        assertThat(m32.shape()).containsExactly(3, 2);
        assertThat(m32.data()[3]).isEqualTo((float) 1e-7);
        assertThat(m64.data()).containsExactly(values);
        assertThat(m64.requireMatrix("embeddings")).isSameAs(m64);
    }

    @Test
    void rejectsBadNpyFilesNamingTheFile() throws IOException {
        byte[] data = doubles(ByteOrder.LITTLE_ENDIAN, 1, 2);
        assertThatThrownBy(() -> Npy.read(file("empty.npy", new byte[0]))).hasMessage(dir.resolve("empty.npy") + ": file is empty");
        assertThatThrownBy(() -> Npy.read(file("text.npy", "hello world".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("text.npy: not a .npy file");
        for (String dtype : new String[] {"<f2", "|b1", "<U3", "|O", "<c16", "<u4"}) {
            assertThatThrownBy(() -> Npy.read(file("d.npy", npy(1, dtype, false, "(2,)", data))))
                    .isInstanceOf(MatrixFileException.class).hasMessageContaining("unsupported dtype '" + dtype + "'");
        }
        String structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }";
        byte[] s = npy(1, "<f8", false, "(2,)", data);
        byte[] h = structured.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(h, 0, s, 10, h.length); // overwrite the header text in place (same padding budget)
        assertThatThrownBy(() -> Npy.read(file("s.npy", s))).hasMessageContaining("structured array");
        assertThatThrownBy(() -> Npy.read(file("short.npy", npy(1, "<f8", false, "(3,)", data))))
                .hasMessageContaining("short.npy: truncated: expected 3 values");
        assertThatThrownBy(() -> Npy.read(file("nan.npy", npy(1, "<f8", false, "(2,)", doubles(ByteOrder.LITTLE_ENDIAN, 1, Double.NaN)))))
                .hasMessageContaining("nan.npy: contains NaN at element 1");
        // a matrix names row and column, in C and in Fortran order (values 0..5 in a 2x3 array, NaN at [1, 2])
        assertThatThrownBy(() -> Npy.read(file("nan2.npy", npy(1, "<f8", false, "(2, 3)",
                doubles(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, 4, Double.NaN)))))
                .hasMessageContaining("nan2.npy: contains NaN at row 1, column 2 ");
        assertThatThrownBy(() -> Npy.read(file("nan3.npy", npy(1, "<f8", true, "(2, 3)",
                doubles(ByteOrder.LITTLE_ENDIAN, 0, 1, 2, 3, Double.NaN, 5)))))
                .hasMessageContaining("nan3.npy: contains NaN at row 0, column 2 ");
        assertThatThrownBy(() -> Npy.read(file("inf.npy", npy(1, "<f8", false, "(2,)",
                doubles(ByteOrder.LITTLE_ENDIAN, Double.NEGATIVE_INFINITY, 1))))).hasMessageContaining("contains Inf");
        assertThatThrownBy(() -> Npy.read(dir.resolve("missing.npy"))).hasMessageEndingWith("missing.npy: no such file");
        Matrix zeroRows = Npy.read(file("zero.npy", npy(1, "<f8", false, "(0, 3)", new byte[0])));
        assertThatThrownBy(() -> zeroRows.requireMatrix("embeddings")).hasMessageContaining("zero.npy: embeddings have zero rows");
        Matrix rank3 = Npy.read(file("r3.npy", npy(1, "<f8", false, "(1, 1, 2)", data)));
        assertThatThrownBy(() -> rank3.requireMatrix("embeddings")).hasMessageContaining("must be a 2-D array").hasMessageContaining("rank 3");
        Matrix frac = Npy.read(file("frac.npy", npy(1, "<f8", false, "(2,)", doubles(ByteOrder.LITTLE_ENDIAN, 1, 0.5))));
        assertThatThrownBy(() -> frac.requireIndexVector("pairs")).hasMessageContaining("non-negative integers");
    }

    private byte[] zip(boolean deflate, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void readsStoredAndDeflatedNpzByName() throws IOException {
        byte[] img = npy(1, "<f8", false, "(1, 2)", doubles(ByteOrder.LITTLE_ENDIAN, 1, 2));
        byte[] txt = npy(1, "<f8", false, "(1, 2)", doubles(ByteOrder.LITTLE_ENDIAN, 3, 4));
        for (boolean deflate : new boolean[] {false, true}) {
            Path p = file(deflate ? "c.npz" : "s.npz", zip(deflate, new java.util.LinkedHashMap<>(Map.of("image.npy", img, "text.npy", txt))));
            assertThat(Npz.read(p)).containsKeys("image", "text");
            assertThat(MatrixFiles.read(p + ":text").data()).containsExactly(3, 4);
            assertThat(MatrixFiles.read(p + ":image").source()).endsWith(":image");
            assertThatThrownBy(() -> MatrixFiles.read(p.toString())).hasMessageContaining("holds 2 arrays");
            assertThatThrownBy(() -> MatrixFiles.read(p + ":audio")).hasMessageContaining("no array named 'audio'");
        }
        Path one = file("one.npz", zip(true, Map.of("only.npy", img)));
        assertThat(MatrixFiles.read(one.toString()).data()).containsExactly(1, 2);
        assertThatThrownBy(() -> Npz.read(file("none.npz", zip(true, Map.of())))).hasMessageContaining("holds no arrays");
        assertThatThrownBy(() -> Npz.read(file("junk.npz", "not a zip".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("junk.npz: not a .npz (zip) archive");
        Path badEntry = file("bad.npz", zip(true, Map.of("x.npy", npy(1, "<f2", false, "(1,)", new byte[2]))));
        assertThatThrownBy(() -> Npz.read(badEntry)).hasMessageContaining("bad.npz:x: unsupported dtype");
    }

    @Test
    void readsCsvWithOrWithoutHeaderAndRejectsBadRows() throws IOException {
        Matrix m = Csv.read(file("h.csv", "a,b,c\n1,2,3\n\n# comment\n4, 5, 6e-1\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(m.shape()).containsExactly(2, 3);
        assertThat(m.data()).containsExactly(1, 2, 3, 4, 5, 0.6);
        assertThat(Csv.read(file("t.tsv", "1\t2\n3\t4\n".getBytes(StandardCharsets.UTF_8))).data()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> Csv.read(file("ragged.csv", "1,2\n3\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("ragged.csv: line 2 has 1 values, expected 2");
        assertThatThrownBy(() -> Csv.read(file("word.csv", "1,2\n3,x\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("line 2: 'x' is not a number");
        assertThatThrownBy(() -> Csv.read(file("e.csv", new byte[0]))).hasMessageContaining("e.csv: file is empty");
        assertThatThrownBy(() -> Csv.read(file("ho.csv", "a,b\n".getBytes(StandardCharsets.UTF_8)))).hasMessageContaining("zero rows");
        assertThatThrownBy(() -> Csv.read(file("inf.csv", "1,Infinity\n".getBytes(StandardCharsets.UTF_8)))).hasMessageContaining("Inf");
        assertThatThrownBy(() -> MatrixFiles.read(dir.resolve("x.bin").toString())).hasMessageContaining("unknown format");
    }
}
