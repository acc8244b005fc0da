package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Retrieval over the whole set by the standard COCO protocol (as in LAION's CLIP_benchmark and
 * the paper's COCO script), with cosine scores (dot products of the rows as given):
 * <pre>
 *   rank(1 -&gt; 2, image i) = 1 + #{ captions j : s(i, j) &gt; max over i's captions j' of s(i, j') }
 *   rank(2 -&gt; 1, caption j) = 1 + #{ images i : s(i, j) &gt; s(partner(j), j) }
 *   R@K = share of queries with rank &lt;= K;  mean and median rank over the queries,
 * </pre>
 * so image to text is a hit when any of the image's captions ranks in the top K among all
 * captions, and text to image when its image ranks in the top K among all images. Ties favour the
 * partner (a relative tolerance of about 100 ulps of the work dtype absorbs the rounding between
 * a pair's own score and the same score inside the matrix product). Images without captions are
 * not queries. The same pass scores a second (shuffled) pairing, and, given a temperature, the
 * partition fields of the plug-in large-batch energy (docs/theory.md section 3):
 * {@code E_{z~rho1} ln (K rho2)(z)} and {@code E_{w~rho2} ln (K rho1)(w)}, with modality 1 weighted
 * by {@code imageWeights}.
 *
 * <p>One chunked pass over the {@code [n1, n2]} score matrix, a block of image rows at a time on
 * the inputs' device; per chunk only counts and log-sum-exp accumulators survive.
 */
public final class FullSetRetrieval {
    /** The K of R@K reported. */
    public static final int[] KS = {1, 5, 10};

    private FullSetRetrieval() {}

    /**
     * @param recall1to2 R@1, R@5, R@10, image queries
     * @param recall2to1 R@1, R@5, R@10, caption queries
     * @param meanRank1to2 mean rank of image queries
     * @param medianRank1to2 median rank of image queries
     * @param meanRank2to1 mean rank of caption queries
     * @param medianRank2to1 median rank of caption queries
     */
    public record Recall(double[] recall1to2, double[] recall2to1, double meanRank1to2, double medianRank1to2, double meanRank2to1,
            double medianRank2to1) {}

    /**
     * @param real retrieval with the true pairing
     * @param shuffled retrieval with the second pairing (null when none was given)
     * @param pairScoreMean mean of {@code s(partner(j), j)} over captions, true pairing
     * @param shuffledPairScoreMean the same for the second pairing (NaN when none)
     * @param logField12 {@code E_{z~rho1} ln (1/n2) sum_j exp(s(z, z2_j)/tau)} (NaN without tau)
     * @param logField21 {@code E_{w~rho2} ln sum_i pi_i exp(s(z1_i, w)/tau)} (NaN without tau)
     */
    public record Result(Recall real, Recall shuffled, double pairScoreMean, double shuffledPairScoreMean, double logField12,
            double logField21) {}

    /**
     * @param z1 images {@code [n1, d]}
     * @param z2 captions {@code [n2, d]}, same dtype
     * @param partner image of each caption
     * @param shuffled a second pairing to score in the same pass (the shuffle control), or null
     * @param tau temperature of the partition fields, or NaN to skip them
     * @param imageWeights pi_i for the partition fields (sum 1), or null for 1/n1
     * @param pairwise chunk budget
     * @return both pairings' retrieval, and the partition fields
     */
    public static Result compute(NDArray z1, NDArray z2, int[] partner, int[] shuffled, double tau, double[] imageWeights,
            Pairwise pairwise) {
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        boolean fields = !Double.isNaN(tau);
        boolean two = shuffled != null;
        DataType work = z1.getDataType();
        double tol = work == DataType.FLOAT32 ? 1e-5 : 1e-12;
        int chunk = pairwise.chunkRows(n2, fields ? 6 : 4);
        try (NDManager outer = z1.getManager().newSubManager()) {
            Pairwise.tempAttach(outer, z1, z2);
            double[] pairScore = pairScores(z1, z2, partner, outer);
            double[] pairScoreS = two ? pairScores(z1, z2, shuffled, outer) : null;
            double[] best = bestPerImage(pairScore, partner, n1);
            double[] bestS = two ? bestPerImage(pairScoreS, shuffled, n1) : null;
            NDArray bestNd = threshold(outer, best, tol, work).reshape(-1, 1);
            NDArray bestSNd = two ? threshold(outer, bestS, tol, work).reshape(-1, 1) : null;
            NDArray tNd = threshold(outer, pairScore, tol, work).reshape(1, -1);
            NDArray tSNd = two ? threshold(outer, pairScoreS, tol, work).reshape(1, -1) : null;
            NDArray colCount = outer.zeros(new Shape(n2), DataType.INT64);
            NDArray colCountS = outer.zeros(new Shape(n2), DataType.INT64);
            NDArray rowCount = outer.zeros(new Shape(n1), DataType.INT64);
            NDArray rowCountS = outer.zeros(new Shape(n1), DataType.INT64);
            double[] logPi = new double[n1];
            for (int i = 0; i < n1; i++) {
                logPi[i] = imageWeights == null ? -Math.log(n1) : Math.log(imageWeights[i]);
            }
            NDArray logPiNd = outer.create(logPi).reshape(-1, 1);
            NDArray colMax = outer.full(new Shape(n2), Float.NEGATIVE_INFINITY).toType(DataType.FLOAT64, false);
            NDArray colSum = outer.zeros(new Shape(n2), DataType.FLOAT64);
            NDArray rowField = outer.zeros(new Shape(n1), DataType.FLOAT64);
            for (int s = 0; s < n1; s += chunk) {
                int e = Math.min(n1, s + chunk);
                try (NDManager scope = outer.newSubManager()) {
                    Pairwise.tempAttach(scope, z1, z2, bestNd, bestSNd, tNd, tSNd, colCount, colCountS, rowCount, rowCountS, logPiNd,
                            colMax, colSum, rowField);
                    NDIndex rows = new NDIndex("{}:{}", s, e);
                    NDArray score = z1.get(rows).matMul(z2.transpose()); // [c, n2]
                    rowCount.set(rows, score.gt(bestNd.get(rows)).sum(new int[] {1}).toType(DataType.INT64, false));
                    colCount.addi(score.gt(tNd).sum(new int[] {0}).toType(DataType.INT64, false));
                    if (two) {
                        rowCountS.set(rows, score.gt(bestSNd.get(rows)).sum(new int[] {1}).toType(DataType.INT64, false));
                        colCountS.addi(score.gt(tSNd).sum(new int[] {0}).toType(DataType.INT64, false));
                    }
                    if (fields) {
                        NDArray logits = score.toType(DataType.FLOAT64, false).mul(1 / tau);
                        NDArray rmax = logits.max(new int[] {1}, true);
                        NDArray lse = logits.sub(rmax).exp().sum(new int[] {1}).log().add(rmax.squeeze(1)).sub(Math.log(n2));
                        rowField.set(rows, lse);
                        NDArray weighted = logits.add(logPiNd.get(rows));
                        NDArray cmax = weighted.max(new int[] {0});
                        NDArray newMax = colMax.maximum(cmax);
                        NDArray rescaled = colSum.mul(colMax.sub(newMax).exp()).add(weighted.sub(newMax.reshape(1, -1)).exp().sum(new int[] {0}));
                        colSum.set(new NDIndex(":"), rescaled);
                        colMax.set(new NDIndex(":"), newMax);
                    }
                }
            }
            // host copies, once per pass
            long[] r12 = rowCount.toLongArray();
            long[] r21 = colCount.toLongArray();
            Recall real = recall(r12, r21, partner, n1);
            Recall shuf = two ? recall(rowCountS.toLongArray(), colCountS.toLongArray(), shuffled, n1) : null;
            double f12 = Double.NaN;
            double f21 = Double.NaN;
            if (fields) {
                double[] rf = rowField.toDoubleArray();
                f12 = 0;
                for (int i = 0; i < n1; i++) {
                    f12 += Math.exp(logPi[i]) * rf[i];
                }
                double[] cm = colMax.toDoubleArray();
                double[] cs = colSum.toDoubleArray();
                f21 = 0;
                for (int j = 0; j < n2; j++) {
                    f21 += cm[j] + Math.log(cs[j]);
                }
                f21 /= n2;
            }
            return new Result(real, shuf, Moments.mean(pairScore), two ? Moments.mean(pairScoreS) : Double.NaN, f12, f21);
        }
    }

    /** {@code s(partner(j), j)} for every caption, in float64 (one host copy of n2 values). */
    private static double[] pairScores(NDArray z1, NDArray z2, int[] partner, NDManager outer) {
        try (NDManager s = outer.newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray idx = s.create(GapMeasurer.toLong(partner));
            NDArray p = z1.get(new NDIndex("{}", idx)).toType(DataType.FLOAT64, false);
            return p.mul(z2.toType(DataType.FLOAT64, false)).sum(new int[] {1}).toDoubleArray();
        }
    }

    private static double[] bestPerImage(double[] pairScore, int[] partner, int n1) {
        double[] best = new double[n1];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY); // no caption: nothing ranks above, not a query
        boolean[] seen = new boolean[n1];
        for (int j = 0; j < partner.length; j++) {
            int i = partner[j];
            if (!seen[i] || pairScore[j] > best[i]) {
                best[i] = pairScore[j];
                seen[i] = true;
            }
        }
        return best;
    }

    /** The comparison threshold: a score above it outranks the partner (ties, within tolerance, favour the partner). */
    private static NDArray threshold(NDManager m, double[] scores, double tol, DataType work) {
        double[] t = new double[scores.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Double.isInfinite(scores[i]) ? Double.MAX_VALUE : scores[i] + tol * Math.max(1, Math.abs(scores[i]));
        }
        return m.create(t).toType(work, false);
    }

    static Recall recall(long[] count12, long[] count21, int[] partner, int n1) {
        boolean[] query = new boolean[n1];
        for (int p : partner) {
            query[p] = true;
        }
        int q1 = 0;
        for (boolean b : query) {
            q1 += b ? 1 : 0;
        }
        long[] ranks1 = new long[q1];
        int c = 0;
        for (int i = 0; i < n1; i++) {
            if (query[i]) {
                ranks1[c++] = count12[i] + 1;
            }
        }
        long[] ranks2 = new long[count21.length];
        for (int j = 0; j < ranks2.length; j++) {
            ranks2[j] = count21[j] + 1;
        }
        return new Recall(recallAt(ranks1), recallAt(ranks2), meanOf(ranks1), medianOf(ranks1), meanOf(ranks2), medianOf(ranks2));
    }

    static double[] recallAt(long[] ranks) {
        double[] out = new double[KS.length];
        for (int k = 0; k < KS.length; k++) {
            int hits = 0;
            for (long r : ranks) {
                if (r <= KS[k]) {
                    hits++;
                }
            }
            out[k] = (double) hits / ranks.length;
        }
        return out;
    }

    private static double meanOf(long[] a) {
        double s = 0;
        for (long v : a) {
            s += v;
        }
        return s / a.length;
    }

    private static double medianOf(long[] a) {
        long[] b = a.clone();
        java.util.Arrays.sort(b);
        int n = b.length;
        return n % 2 == 1 ? b[n / 2] : 0.5 * (b[n / 2 - 1] + b[n / 2]);
    }
}
