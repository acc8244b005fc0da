package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.engine.loss.Logits;

/**
 * The pairwise primitives every statistic is built from, as NDArray math on the device of the
 * inputs, chunked by rows: a chunk of c query rows against all N key rows costs about
 * {@code c * N * 8 bytes} per temporary, and c is chosen so the temporaries of one chunk fit the
 * memory budget. Nothing of size O(N^2) is ever materialised and nothing is copied to the host
 * inside the loops; each method does one host copy of its (at most O(N)) result at the end.
 *
 * <p>Every chunk runs in its own {@link NDManager} scope with the inputs temporarily attached, so
 * intermediates are freed chunk by chunk; inputs must be float64 (the measurement layer converts).
 */
public final class Pairwise {
    /** Memory budget for the temporaries of one chunk on a GPU: 256 MiB. */
    public static final long DEFAULT_BUDGET_BYTES = 256L << 20;
    /**
     * Budget on the CPU: 64 MiB. The whole-set retrieval reads all n2 keys once per chunk of
     * queries, so chunks of a few rows (a 4 MiB budget gives 5 rows against 25,000 captions) turn
     * a matrix product into a memory-bound loop. On COCO-shaped data (5,000 x 25,000, d = 512, three
     * repeats) 64 MiB was the fastest of 4, 16, 64 and 256 MiB on a busy 2-core machine (one run
     * each: 38, 9.6, 8.6 and 11.6 s), and it keeps the peak well under 1.5 GB.
     */
    public static final long CPU_BUDGET_BYTES = 64L << 20;
    /** Stand-in for minus infinity in masked maxima (finite, so arithmetic on it stays exact). */
    private static final double MASKED = -1e300;

    private final long budgetBytes;

    /** @param budgetBytes memory for the temporaries of one chunk (>= 1 MiB) */
    public Pairwise(long budgetBytes) {
        if (budgetBytes < (1L << 20)) {
            throw new IllegalArgumentException("memory budget must be >= 1 MiB, got " + budgetBytes + " bytes");
        }
        this.budgetBytes = budgetBytes;
    }

    /** @return the memory budget of one chunk */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** @return a helper with the {@link #DEFAULT_BUDGET_BYTES default} budget */
    public static Pairwise withDefaultBudget() {
        return new Pairwise(DEFAULT_BUDGET_BYTES);
    }

    /**
     * Rows per chunk against {@code keys} columns with {@code temporaries} live [c, keys] float64
     * arrays at a time.
     */
    int chunkRows(long keys, int temporaries) {
        long rows = budgetBytes / (Math.max(1, keys) * 8L * temporaries);
        // at most 2^30 rows, so a chunk's end (start + rows) never overflows an int however large the budget
        return (int) Math.max(1, Math.min(rows, 1 << 30));
    }

    /**
     * Temporarily attaches arrays to a scope, each once: attaching the same array twice would make
     * it return to the (then closed) scope itself when the scope closes.
     */
    static void tempAttach(NDManager scope, NDArray... arrays) {
        java.util.Set<NDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (NDArray a : arrays) {
            if (a != null && seen.add(a)) {
                scope.tempAttachAll(a);
            }
        }
    }

    /**
     * Copies a one-element array to the host, whatever its shape ({@code ()} or {@code (1)}: some
     * reductions return the latter).
     */
    static double scalar(NDArray a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("expected one value, got shape " + a.getShape());
        }
        return a.toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }

    private static NDArray rows(NDArray a, long start, long end) {
        return a.get(new NDIndex("{}:{}", start, end));
    }

    /** Squared distances of a chunk of rows to all keys, clamped at 0: {@code |q|^2 + |k|^2 - 2 q.k}. */
    private static NDArray squaredDistances(NDArray q, NDArray qNorm2, NDArray keys, NDArray keyNorm2) {
        return qNorm2.reshape(-1, 1).add(keyNorm2.reshape(1, -1)).sub(q.matMul(keys.transpose()).mul(2)).maximum(0);
    }

    /**
     * Distance from each query to its k-th nearest key: geodesic {@code acos <q, k>} on the sphere
     * (both unit vectors), Euclidean in {@code R^d}. With {@code sameSet} the queries are the keys
     * and each point is excluded from its own neighbours (by index, so exact duplicates elsewhere
     * still count as neighbours at distance 0).
     *
     * @param queries {@code [n, d]}
     * @param keys {@code [N, d]}
     * @param k neighbour rank, 1 = nearest
     * @param sameSet whether queries and keys are the same rows
     * @param manifold how distances are measured
     * @return the k-th neighbour distance of each query
     */
    public double[] kthNeighbourDistance(NDArray queries, NDArray keys, int k, boolean sameSet, Manifold manifold) {
        long n = queries.getShape().get(0);
        long nk = keys.getShape().get(0);
        if (k < 1 || k > nk - (sameSet ? 1 : 0)) {
            throw new IllegalArgumentException("k = " + k + " needs more than " + k + " reference points, got " + nk);
        }
        boolean sphere = manifold == Manifold.SPHERE;
        int chunk = chunkRows(nk, 4);
        try (NDManager outer = queries.getManager().newSubManager()) {
            NDArray keyNorm2 = keys.square().sum(new int[] {1});
            keyNorm2.attach(outer);
            NDList parts = new NDList();
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                try (NDManager scope = outer.newSubManager()) {
                    tempAttach(scope, queries, keys, keyNorm2);
                    NDArray q = rows(queries, start, end);
                    NDArray dot = q.matMul(keys.transpose());
                    // larger score = nearer: the cosine on the sphere, 2<q,k> - |k|^2 in R^d
                    NDArray score = sphere ? dot : dot.mul(2).sub(keyNorm2.reshape(1, -1));
                    // Within one set, each point is its own nearest neighbour at distance 0, so the
                    // k-th neighbour among the others is the (k+1)-th overall: dropping one zero
                    // distance from the multiset is the same whether it is the point itself or an
                    // exact duplicate, and it saves masking the diagonal.
                    NDArray kth = score.topK(sameSet ? k + 1 : k, 1, true, false).get(0).min(new int[] {1});
                    NDArray dist;
                    if (sphere) {
                        dist = kth.clip(-1, 1).acos();
                    } else {
                        dist = q.square().sum(new int[] {1}).sub(kth).maximum(0).sqrt();
                    }
                    dist.attach(outer);
                    parts.add(dist);
                }
            }
            return NDArrays.concat(parts).toDoubleArray(); // one host copy of n values
        }
    }

    /**
     * For each query, the number of keys that score strictly higher than its best relevant key,
     * where key j is relevant to query i when {@code keyLabels[j] == queryLabels[i]} and the score
     * is the dot product (cosine for unit vectors). Rank 0 means a relevant key is retrieved first.
     *
     * @param queries {@code [n, d]}
     * @param keys {@code [N, d]}
     * @param queryLabels {@code [n]}
     * @param keyLabels {@code [N]}
     * @return the rank of the best relevant key for each query (N when none is relevant)
     */
    public long[] bestRelevantRank(NDArray queries, NDArray keys, long[] queryLabels, long[] keyLabels) {
        long n = queries.getShape().get(0);
        long nk = keys.getShape().get(0);
        int chunk = chunkRows(nk, 4);
        try (NDManager outer = queries.getManager().newSubManager()) {
            NDArray qLab = outer.create(queryLabels).reshape(-1, 1);
            NDArray kLab = outer.create(keyLabels).reshape(1, -1);
            NDList parts = new NDList();
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                try (NDManager scope = outer.newSubManager()) {
                    tempAttach(scope, queries, keys, qLab, kLab);
                    NDArray score = rows(queries, start, end).matMul(keys.transpose());
                    NDArray relevant = rows(qLab, start, end).eq(kLab);
                    NDArray best = score.add(relevant.logicalNot().toType(DataType.FLOAT64, false).mul(MASKED)).max(new int[] {1}, true);
                    NDArray rank = score.gt(best).countNonzero(1);
                    rank.attach(outer);
                    parts.add(rank);
                }
            }
            return NDArrays.concat(parts).toType(DataType.INT64, false).toLongArray(); // one host copy
        }
    }

    /**
     * The mean log partition field: {@code (1/n) sum_i log( (1/N) sum_j exp(<q_i, k_j> * scale) )},
     * with a max-shifted log-sum-exp per row.
     *
     * @param queries {@code [n, d]}
     * @param keys {@code [N, d]}
     * @param logitScale {@code 1/tau}
     * @return the mean over queries
     */
    public double meanLogPartition(NDArray queries, NDArray keys, double logitScale) {
        long n = queries.getShape().get(0);
        long nk = keys.getShape().get(0);
        int chunk = chunkRows(nk, 3);
        try (NDManager outer = queries.getManager().newSubManager()) {
            NDArray acc = outer.zeros(new Shape(), DataType.FLOAT64);
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                try (NDManager scope = outer.newSubManager()) {
                    tempAttach(scope, queries, keys);
                    NDArray logits = Logits.cosine(rows(queries, start, end), keys, logitScale);
                    NDArray max = logits.max(new int[] {1}, true);
                    NDArray lse = logits.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
                    acc.addi(lse.sum());
                }
            }
            return scalar(acc) / n - Math.log(nk); // one host copy
        }
    }

    /**
     * {@code log( mean_{i != j} exp(-t ||z_i - z_j||^2) )} over the distinct ordered pairs of one
     * sample (Wang-Isola uniformity at t = 2).
     *
     * @param z {@code [n, d]}, n >= 2
     * @param t the kernel's scale
     * @return the log mean
     */
    public double logMeanExpNegSquaredDistance(NDArray z, double t) {
        long n = z.getShape().get(0);
        int chunk = chunkRows(n, 3);
        try (NDManager outer = z.getManager().newSubManager()) {
            NDArray norm2 = z.square().sum(new int[] {1});
            norm2.attach(outer);
            NDArray acc = outer.zeros(new Shape(), DataType.FLOAT64);
            for (long start = 0; start < n; start += chunk) {
                long end = Math.min(n, start + chunk);
                try (NDManager scope = outer.newSubManager()) {
                    tempAttach(scope, z, norm2);
                    NDArray terms = squaredDistances(rows(z, start, end), rows(norm2, start, end), z, norm2).mul(-t).exp();
                    // remove the self pairs (row i, column start + i): the very values summed, so
                    // only summation rounding remains, not a cancellation against n
                    acc.addi(terms.sum().sub(terms.diagonal((int) start).sum()));
                }
            }
            return Math.log(scalar(acc) / ((double) n * (n - 1))); // one host copy
        }
    }
}
