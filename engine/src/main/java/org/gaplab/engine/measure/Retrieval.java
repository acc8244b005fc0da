package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;

/**
 * Cross-modal retrieval recall at K in both directions, with cosine scores and possibly several
 * partners per item (COCO: five captions per image). With {@code partner[j]} the row of z1 that
 * z2 row j belongs to:
 * <pre>
 *   R@K (1 -&gt; 2) = (1/n1) sum_i 1[ some j with partner[j] = i ranks among the top K of &lt;z1_i, z2_.&gt; ],
 *   R@K (2 -&gt; 1) = (1/n2) sum_j 1[ partner[j] ranks among the top K of &lt;z2_j, z1_.&gt; ],
 * </pre>
 * where the rank of the best partner counts the items scoring strictly higher (ties favour the
 * partner). Chance level is about K / n (times the number of partners).
 */
public final class Retrieval {
    /** The K of R@K reported. */
    public static final int[] KS = {1, 5, 10};

    private Retrieval() {}

    /**
     * @param oneToTwo R@K for K in {@link #KS}, queries from modality 1
     * @param twoToOne R@K for K in {@link #KS}, queries from modality 2
     */
    public record Result(double[] oneToTwo, double[] twoToOne) {}

    /**
     * @param z1 {@code [n1, d]}
     * @param z2 {@code [n2, d]}
     * @param partner for each z2 row, its partner's row in z1
     * @param pairwise chunked primitives
     * @return recall at 1, 5 and 10 both ways
     */
    public static Result compute(NDArray z1, NDArray z2, int[] partner, Pairwise pairwise) {
        int n1 = (int) z1.getShape().get(0);
        long[] ids1 = new long[n1];
        for (int i = 0; i < n1; i++) {
            ids1[i] = i;
        }
        long[] labels2 = new long[partner.length];
        for (int j = 0; j < partner.length; j++) {
            labels2[j] = partner[j];
        }
        long[] rank12 = pairwise.bestRelevantRank(z1, z2, ids1, labels2);
        long[] rank21 = pairwise.bestRelevantRank(z2, z1, labels2, ids1);
        return new Result(recall(rank12), recall(rank21));
    }

    static double[] recall(long[] ranks) {
        double[] out = new double[KS.length];
        for (int k = 0; k < KS.length; k++) {
            int hits = 0;
            for (long r : ranks) {
                if (r < KS[k]) {
                    hits++;
                }
            }
            out[k] = (double) hits / ranks.length;
        }
        return out;
    }
}
