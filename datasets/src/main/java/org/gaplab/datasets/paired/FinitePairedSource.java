package org.gaplab.datasets.paired;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A {@link PairedSource} over a finite {@link PairedData}.
 *
 * <ul>
 *   <li><b>Split.</b> The x items are permuted by the stream {@code (dataSeed, "split")} and the
 *       first {@code round(evalFraction * n1)} are held out with every pair (y row) that belongs to
 *       them, so no x item is in both splits (no leakage through many-to-one pairs). With
 *       {@code evalFraction = 0} the evaluation set is every pair, in-sample.</li>
 *   <li><b>Corruption.</b> The training pairs are corrupted once, at construction, by
 *       {@link PairCorruption} with {@code (dataSeed, p)}; the evaluation pairs stay true, so
 *       retrieval measures what the corrupted training did to the real pairing.</li>
 *   <li><b>Training draws.</b> {@code sampleTrain(seed, n)} concatenates random permutations of the
 *       training pairs (from {@code seed}) until it has n rows, so a batch repeats a pair only where
 *       it straddles two passes (a repeated pair would be its own false negative).</li>
 *   <li><b>Device.</b> Both feature tables are copied to the device once ({@link ResidentTables}) and
 *       batches are gathered there; only the n row indices go to the device per call.</li>
 * </ul>
 *
 * Results are {@code [x, y]} and, when the data has labels, {@code "label"} (int32, the class of
 * each pair's x item).
 */
public final class FinitePairedSource implements PairedSource {
    private final PairedData data;
    private final int[] trainX;
    private final int[] trainY;
    private final int[] evalX;
    private final int[] evalY;
    private final ResidentTables resident;

    /**
     * @param data the dataset
     * @param evalFraction share of x items held out, in [0, 1)
     * @param dataSeed seed of the split and the corruption
     * @param corruption probability p that a training pair is corrupted
     */
    public FinitePairedSource(PairedData data, double evalFraction, long dataSeed, double corruption) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new UserException("eval_fraction: must be in [0, 1), got " + evalFraction);
        }
        this.data = data;
        int n1 = data.rowsX();
        int[] order = permutation(n1, new SplittableRandom(Seeds.derive(dataSeed, "split", 0)));
        int held = (int) Math.round(evalFraction * n1);
        boolean[] isEval = new boolean[n1];
        int[] rankOf = new int[n1];
        for (int r = 0; r < n1; r++) {
            isEval[order[r]] = r < held;
            rankOf[order[r]] = r;
        }
        // pairs listed by the rank of their x item, then by y row: a fixed order for both splits
        Integer[] pairs = new Integer[data.rowsY()];
        for (int j = 0; j < pairs.length; j++) {
            pairs[j] = j;
        }
        Arrays.sort(pairs, (a, b) -> rankOf[data.partner(a)] != rankOf[data.partner(b)]
                ? Integer.compare(rankOf[data.partner(a)], rankOf[data.partner(b)]) : Integer.compare(a, b));
        int evalCount = 0;
        for (int j : pairs) {
            evalCount += isEval[data.partner(j)] ? 1 : 0;
        }
        int trainCount = pairs.length - evalCount;
        if (trainCount < 2) {
            throw new UserException("eval_fraction " + evalFraction + " leaves " + trainCount
                    + " training pairs of " + pairs.length + "; a contrastive batch needs at least 2");
        }
        trainX = new int[trainCount];
        trainY = new int[trainCount];
        int[] trainClass = data.hasLabels() ? new int[trainCount] : null;
        int t = 0;
        for (int j : pairs) {
            if (!isEval[data.partner(j)]) {
                trainX[t] = data.partner(j);
                trainY[t] = j;
                if (trainClass != null) {
                    trainClass[t] = data.label(trainX[t]);
                }
                t++;
            }
        }
        int[] ey = new int[held == 0 ? pairs.length : evalCount];
        int e = 0;
        for (int j : pairs) {
            if (held == 0 || isEval[data.partner(j)]) {
                ey[e++] = j;
            }
        }
        evalY = ey;
        evalX = Arrays.stream(ey).map(data::partner).toArray();
        int[] corrupted = PairCorruption.apply(trainX, trainY, trainClass, corruption, dataSeed);
        System.arraycopy(corrupted, 0, trainY, 0, trainCount);
        this.resident = new ResidentTables(data.xValues(), data.dimX(), data.yValues(), data.dimY());
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /** @return the dataset */
    public PairedData data() {
        return data;
    }

    /** @return number of training pairs */
    public int trainSize() {
        return trainX.length;
    }

    /** @return number of evaluation pairs */
    public int evalSize() {
        return evalY.length;
    }

    /** @return the x row of each training pair (a copy) */
    public int[] trainXRows() {
        return trainX.clone();
    }

    /** @return the y row of each training pair after corruption (a copy) */
    public int[] trainYRows() {
        return trainY.clone();
    }

    /** @return the x row of each evaluation pair (a copy) */
    public int[] evalXRows() {
        return evalX.clone();
    }

    /** @return the y row of each evaluation pair (a copy) */
    public int[] evalYRows() {
        return evalY.clone();
    }

    @Override
    public int dimX() {
        return data.dimX();
    }

    @Override
    public int dimY() {
        return data.dimY();
    }

    @Override
    public NDList sampleTrain(NDManager manager, long seed, int n, DataType dataType) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] rowsX = new int[n];
        int[] rowsY = new int[n];
        for (int filled = 0; filled < n; ) {
            int[] pass = permutation(trainX.length, rng);
            for (int i = 0; i < pass.length && filled < n; i++, filled++) {
                rowsX[filled] = trainX[pass[i]];
                rowsY[filled] = trainY[pass[i]];
            }
        }
        return gather(manager, rowsX, rowsY, dataType);
    }

    /** The held-out pairs, true pairing, in a fixed order; the first {@code n} of them. */
    @Override
    public NDList evaluationSet(NDManager manager, long seed, int n, DataType dataType) {
        int m = Math.min(n, evalY.length);
        return gather(manager, Arrays.copyOf(evalX, m), Arrays.copyOf(evalY, m), dataType);
    }

    private NDList gather(NDManager manager, int[] rowsX, int[] rowsY, DataType dataType) {
        NDArray[] tables = resident.on(manager, dataType);
        try (NDManager scope = manager.newSubManager()) {
            NDArray ix = scope.create(rowsX);
            NDArray iy = scope.create(rowsY);
            NDList out = new NDList(tables[0].get(new NDIndex("{}", ix)), tables[1].get(new NDIndex("{}", iy)));
            out.get(0).setName("x");
            out.get(1).setName("y");
            if (data.hasLabels()) {
                int[] classes = new int[rowsX.length];
                for (int i = 0; i < classes.length; i++) {
                    classes[i] = data.label(rowsX[i]);
                }
                NDArray label = scope.create(classes);
                label.setName("label");
                out.add(label);
            }
            out.attach(manager);
            return out;
        }
    }
}
