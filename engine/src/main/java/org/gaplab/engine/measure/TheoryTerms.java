package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import org.gaplab.engine.loss.SymmetricInfoNce;

/**
 * Plug-in estimates of the terms of the theory on the sphere (docs/theory.md sections 3-5), for the
 * cosine critic {@code s(z, w) = <z, w>} at temperature tau:
 * <pre>
 *   alignment term  A = (1/tau) E_pairs[ -&lt;f(x), g(y)&gt; ]
 *   energy          E(rho1, rho2) = 1/2 (F1 + F2) - D_sym,   F_i = (1/tau) int U_i rho_i - H(rho_i),
 *                   which with int U_i rho_i = E_pairs[-s] is   E = A - (H1 + H2)/2 - D_sym,
 *   large-batch     L_inf = A + 1/2 E_{z~rho1} ln (K rho2)(z) + 1/2 E_{w~rho2} ln (K rho1)(w),
 *                   (K rho)(z) = E_{w~rho} exp(&lt;z, w&gt;/tau)   (the partition field),
 *   finite batch    L_B - ln B, L_B the symmetric InfoNCE on batches of B true pairs,
 * </pre>
 * so that a user can check {@code L_B - ln B -> L_inf = E + ln c_tau + o(1)} (sharpening, tau
 * small). H and D_sym come from the k-NN estimators in surface measure, matching
 * {@link PartitionConstant}. The partition field of L_inf is estimated on the whole evaluation set.
 */
public final class TheoryTerms {
    private TheoryTerms() {}

    /**
     * @param z1Partners partner of each z2 row, {@code [m, d]}
     * @param z2 {@code [m, d]}
     * @param tau temperature
     * @return {@code A = (1/tau) mean_j -<z1Partners_j, z2_j>}
     */
    public static double alignmentTerm(NDArray z1Partners, NDArray z2, double tau) {
        try (NDArray prod = z1Partners.mul(z2); NDArray mean = prod.sum(new int[] {1}).mean()) {
            return -Pairwise.scalar(mean) / tau;
        }
    }

    /** @return {@code E = A - (H1 + H2)/2 - D_sym} */
    public static double energy(double alignmentTerm, double entropy1, double entropy2, double dsym) {
        return alignmentTerm - 0.5 * (entropy1 + entropy2) - dsym;
    }

    /**
     * The plug-in large-batch energy with the partition fields estimated on the given samples.
     *
     * @param z1 sample of rho1 (distinct items), {@code [n1, d]}
     * @param z2 sample of rho2, {@code [n2, d]}
     * @param alignmentTerm A over the true pairs
     * @param tau temperature
     * @param pairwise chunked primitives
     * @return {@code L_inf}
     */
    public static double largeBatchEnergy(NDArray z1, NDArray z2, double alignmentTerm, double tau, Pairwise pairwise) {
        double field12 = pairwise.meanLogPartition(z1, z2, 1 / tau);
        double field21 = pairwise.meanLogPartition(z2, z1, 1 / tau);
        return alignmentTerm + 0.5 * field12 + 0.5 * field21;
    }

    /**
     * Mean of {@code L_B - ln B} over the {@code floor(m / B)} disjoint batches of consecutive rows
     * (the rows of a random subsample are in random order, so these are random batches).
     *
     * @param z1Partners partner of each z2 row, {@code [m, d]}
     * @param z2 {@code [m, d]}
     * @param batchSize B >= 2, at most m
     * @param tau temperature
     * @param pairwise chunked primitives (for the memory budget)
     * @return the mean over batches
     */
    public static double finiteBatchLossMinusLogB(NDArray z1Partners, NDArray z2, int batchSize, double tau, Pairwise pairwise) {
        long m = z2.getShape().get(0);
        long d = z2.getShape().get(1);
        int batches = (int) (m / batchSize);
        if (batchSize < 2 || batches < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " needs 2 <= B <= " + m);
        }
        // batches per pass so that the [g, B, B] logits and their two log-softmaxes fit the budget
        int perPass = Math.max(1, Math.min(batches, pairwise.chunkRows((long) batchSize * batchSize, 4)));
        SymmetricInfoNce loss = new SymmetricInfoNce();
        double sum = 0;
        try (NDManager scope = z2.getManager().newSubManager()) {
            Pairwise.tempAttach(scope, z1Partners, z2);
            NDArray total = scope.zeros(new ai.djl.ndarray.types.Shape(), z2.getDataType());
            for (int start = 0; start < batches; start += perPass) {
                int g = Math.min(perPass, batches - start);
                try (NDManager pass = scope.newSubManager()) {
                    Pairwise.tempAttach(pass, z1Partners, z2);
                    NDIndex rows = new NDIndex("{}:{}", (long) start * batchSize, (long) (start + g) * batchSize);
                    NDArray a = z1Partners.get(rows).reshape(g, batchSize, d);
                    NDArray b = z2.get(rows).reshape(g, batchSize, d);
                    NDArray scale = pass.ones(new ai.djl.ndarray.types.Shape(g), z2.getDataType()).mul(1 / tau);
                    total.addi(loss.perRun(a, b, scale).sum());
                }
            }
            sum = Pairwise.scalar(total); // one host copy
        }
        return sum / batches - Math.log(batchSize);
    }
}
