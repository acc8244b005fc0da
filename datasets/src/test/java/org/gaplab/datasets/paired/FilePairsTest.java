package org.gaplab.datasets.paired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.UserException;
import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFileException;
import org.gaplab.datasets.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code data.kind: files}: each format, pairing by index and many-to-one, labels, the split, device
 * gathering, and every rejected input. Row i of x holds (i, 0.5), row j of y holds (100 + j, -1), so a
 * sampled pair shows which rows it came from.
 */
class FilePairsTest {
    @TempDir
    Path dir;

    private static Matrix rows(String name, int n, double offset, double second) {
        double[] v = new double[2 * n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = offset + i;
            v[2 * i + 1] = second;
        }
        return new Matrix(name, new long[] {n, 2}, v, "float64");
    }

    private static Matrix vector(String name, double... values) {
        return new Matrix(name, new long[] {values.length}, values, "float64");
    }

    private String npy(String file, Matrix m) {
        Path p = dir.resolve(file);
        Npy.write(p, m);
        return p.toString();
    }

    private String csv(String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, text);
        return p.toString();
    }

    private String npz(String file, String[] names, Matrix... arrays) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            for (int i = 0; i < arrays.length; i++) {
                Path tmp = dir.resolve("tmp-" + i + ".npy");
                Npy.write(tmp, arrays[i]);
                z.putNextEntry(new ZipEntry(names[i] + ".npy"));
                z.write(Files.readAllBytes(tmp));
                z.closeEntry();
            }
        }
        Path p = dir.resolve(file);
        Files.write(p, zip.toByteArray());
        return p.toString();
    }

    /** Every sampled pair (x row, y row) of a source, read back from the feature values. */
    private static int[][] sampledPairs(FinitePairedSource src, long seed, int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList d = src.sampleTrain(m, seed, n, DataType.FLOAT64);
            double[] x = d.get(0).toDoubleArray();
            double[] y = d.get(1).toDoubleArray();
            int[][] out = new int[n][2];
            for (int i = 0; i < n; i++) {
                out[i][0] = (int) x[2 * i];
                out[i][1] = (int) y[2 * i] - 100;
            }
            return out;
        }
    }

    @Test
    void npyFilesPairRowsByIndexAndSplitTheItems() {
        FinitePairedSource src = (FinitePairedSource) FilePairsConfig.of(npy("x.npy", rows("x", 50, 0, 0.5)),
                npy("y.npy", rows("y", 50, 100, -1))).build();
        assertThat(src.dimX()).isEqualTo(2);
        assertThat(src.evalSize()).isEqualTo(10);
        assertThat(src.trainSize()).isEqualTo(40);
        Set<Integer> train = new HashSet<>();
        for (int[] p : sampledPairs(src, 3, 200)) {
            assertThat(p[1]).isEqualTo(p[0]);
            train.add(p[0]);
        }
        // 200 draws of 40 training pairs in shuffled passes: each pair exactly 5 times, none held out
        assertThat(train).hasSize(40);
        for (int e : src.evalXRows()) {
            assertThat(train).doesNotContain(e);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDList eval = src.evaluationSet(m, 0, 1000, DataType.FLOAT32);
            assertThat(eval.get(0).getShape().get(0)).isEqualTo(10);
            assertThat(eval.get(0).getDataType()).isEqualTo(DataType.FLOAT32);
            float[] ex = eval.get(0).toFloatArray();
            float[] ey = eval.get(1).toFloatArray();
            for (int i = 0; i < 10; i++) {
                assertThat(ey[2 * i] - 100).isEqualTo(ex[2 * i]);
            }
        }
    }

    @Test
    void aShuffledPassRepeatsNoPairWithinABatch() {
        FinitePairedSource src = (FinitePairedSource) FilePairsConfig.of(npy("x.npy", rows("x", 50, 0, 0.5)),
                npy("y.npy", rows("y", 50, 100, -1))).build();
        int[][] first = sampledPairs(src, 9, 40);
        Set<Integer> seen = new HashSet<>();
        for (int[] p : first) {
            seen.add(p[0]);
        }
        assertThat(seen).hasSize(40);
        assertThat(sampledPairs(src, 9, 40)).isDeepEqualTo(first);
        assertThat(sampledPairs(src, 10, 40)).isNotEqualTo(first);
    }

    @Test
    void theSplitDependsOnTheDataSeedOnly() {
        String x = npy("x.npy", rows("x", 50, 0, 0.5));
        String y = npy("y.npy", rows("y", 50, 100, -1));
        FilePairsConfig c = FilePairsConfig.of(x, y);
        int[] a = ((FinitePairedSource) c.build()).evalXRows();
        int[] b = ((FinitePairedSource) c.build()).evalXRows();
        int[] other = ((FinitePairedSource) new FilePairsConfig(x, y, "", "", 0.2, 1, 0).build()).evalXRows();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(other);
    }

    @Test
    void csvAndNamedNpzArraysLoadTheSameValues() throws IOException {
        StringBuilder xs = new StringBuilder("a,b\n");
        StringBuilder ys = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            xs.append(i).append(",0.5\n");
            ys.append(100 + i).append(";-1\n");
        }
        String archive = npz("both.npz", new String[] {"image", "text"}, rows("x", 20, 0, 0.5), rows("y", 20, 100, -1));
        for (FilePairsConfig c : new FilePairsConfig[] {
            FilePairsConfig.of(csv("x.csv", xs.toString()), csv("y.csv", ys.toString())),
            FilePairsConfig.of(archive + ":image", archive + ":text")}) {
            FinitePairedSource src = (FinitePairedSource) c.build();
            assertThat(src.trainSize()).isEqualTo(16);
            for (int[] p : sampledPairs(src, 1, 32)) {
                assertThat(p[1]).isEqualTo(p[0]);
            }
        }
    }

    @Test
    void anIndexArrayPairsManyCaptionsWithOneImageAndKeepsThemInOneSplit() {
        // 10 images, 3 captions each: caption j belongs to image j / 3
        double[] pairs = new double[30];
        for (int j = 0; j < 30; j++) {
            pairs[j] = j / 3;
        }
        FilePairsConfig c = FilePairsConfig.of(npy("x.npy", rows("x", 10, 0, 0.5)), npy("y.npy", rows("y", 30, 100, -1)))
                .withPairs(npy("pairs.npy", vector("pairs", pairs)));
        FinitePairedSource src = (FinitePairedSource) c.build();
        assertThat(src.evalSize()).isEqualTo(6);
        assertThat(src.trainSize()).isEqualTo(24);
        for (int[] p : sampledPairs(src, 2, 48)) {
            assertThat(p[1] / 3).isEqualTo(p[0]);
        }
        Set<Integer> heldImages = new HashSet<>();
        for (int i : src.evalXRows()) {
            heldImages.add(i);
        }
        assertThat(heldImages).hasSize(2);
        for (int t : src.trainXRows()) {
            assertThat(heldImages).doesNotContain(t);
        }
    }

    @Test
    void labelsTravelWithEachPair() {
        double[] labels = new double[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i % 4;
        }
        FinitePairedSource src = (FinitePairedSource) FilePairsConfig.of(npy("x.npy", rows("x", 40, 0, 0.5)),
                npy("y.npy", rows("y", 40, 100, -1))).withLabels(npy("labels.npy", vector("labels", labels))).build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDList d = src.sampleTrain(m, 5, 64, DataType.FLOAT32);
            assertThat(d.get(2).getName()).isEqualTo("label");
            float[] x = d.get(0).toFloatArray();
            int[] l = d.get(2).toIntArray();
            for (int i = 0; i < 64; i++) {
                assertThat(l[i]).isEqualTo(((int) x[2 * i]) % 4);
            }
        }
    }

    @Test
    void theDeviceCopiesAreMadeOncePerOwnerAndFreedWithIt() {
        FinitePairedSource src = (FinitePairedSource) FilePairsConfig.of(npy("x.npy", rows("x", 50, 0, 0.5)),
                npy("y.npy", rows("y", 50, 100, -1))).build();
        try (NDManager owner = NDManager.newBaseManager()) {
            long before = owner.getManagedArrays().size();
            for (int block = 0; block < 5; block++) {
                try (NDManager scratch = owner.newSubManager()) {
                    src.sampleTrain(scratch, block, 64, DataType.FLOAT32);
                }
            }
            // the two resident tables (x and y) under the owner, however many blocks were drawn
            assertThat(owner.getManagedArrays().size() - before).isEqualTo(2);
        }
        try (NDManager again = NDManager.newBaseManager()) {
            assertThat(src.sampleTrain(again, 0, 4, DataType.FLOAT32).get(0).getShape().get(0)).isEqualTo(4);
        }
    }

    private void rejects(FilePairsConfig c, String... fragments) {
        assertThatThrownBy(c::build).isInstanceOf(UserException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\n");
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void badInputsFailWithOneLineNamingTheFile() throws IOException {
        String x = npy("x.npy", rows("x", 10, 0, 0.5));
        String y = npy("y.npy", rows("y", 10, 100, -1));
        rejects(FilePairsConfig.of(x, npy("y9.npy", rows("y", 9, 100, -1))), "y9.npy", "9 rows", "10", "data.pairs");
        rejects(FilePairsConfig.of(x, csv("nan.csv", "1,2\nNaN,3\n")), "nan.csv", "NaN");
        rejects(FilePairsConfig.of(x, csv("inf.csv", "1,2\nInf,3\n")), "inf.csv", "Inf");
        rejects(FilePairsConfig.of(npy("vec.npy", vector("v", 1, 2, 3)), y), "vec.npy", "2-D", "rank 1");
        rejects(FilePairsConfig.of(x, npy("empty.npy", new Matrix("e", new long[] {0, 2}, new double[0], "float64"))),
                "empty.npy", "zero rows");
        rejects(FilePairsConfig.of(x, csv("blank.csv", "")), "blank.csv");
        rejects(FilePairsConfig.of(x, y).withLabels(npy("frac.npy", vector("l", 0, 1, 2, 3, 0.5, 1, 2, 3, 0, 1))),
                "frac.npy", "non-negative integers", "0.5");
        rejects(FilePairsConfig.of(x, y).withLabels(npy("neg.npy", vector("l", 0, 1, 2, 3, -1, 1, 2, 3, 0, 1))),
                "neg.npy", "non-negative integers");
        rejects(FilePairsConfig.of(x, y).withLabels(npy("short.npy", vector("l", 0, 1, 2))), "short.npy", "3 labels", "10 rows");
        rejects(FilePairsConfig.of(x, y).withLabels(npy("wide.npy", rows("l", 10, 0, 0))), "wide.npy", "1-D integer array");
        rejects(FilePairsConfig.of(x, y).withPairs(npy("far.npy", vector("p", 0, 1, 2, 3, 4, 5, 6, 7, 8, 10))),
                "far.npy", "entry 9 is 10", "outside");
        rejects(FilePairsConfig.of(x, y).withPairs(npy("few.npy", vector("p", 0, 1))), "few.npy", "2 entries", "one x row index per y row");
        rejects(FilePairsConfig.of(x, dir.resolve("missing.npy").toString()), "missing.npy");
        rejects(FilePairsConfig.of(x, y.replace(".npy", ".bin")), "unknown format");
        rejects(FilePairsConfig.defaults(), "data.x and data.y", "required");
        rejects(FilePairsConfig.of(npy("x3.npy", rows("x", 3, 0, 0.5)), npy("y3.npy", rows("y", 3, 100, -1)))
                .withEvalFraction(0.5), "leaves 1 training pairs");
        assertThatThrownBy(() -> FilePairsConfig.of(x, y).withEvalFraction(1)).hasMessageContaining("evalFraction");
        assertThatThrownBy(() -> FilePairsConfig.of(x, y).withCorruption(1.5)).hasMessageContaining("corruption");
    }

    @Test
    void matrixFileErrorsAreOneLineAndUserFacing() {
        // bad input (exit 2), not a bug
        assertThat(MatrixFileException.class).isAssignableTo(UserException.class);
    }
}
