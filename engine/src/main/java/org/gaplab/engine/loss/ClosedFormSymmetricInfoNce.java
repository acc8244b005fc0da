package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Symmetric InfoNCE with the cosine critic, value and gradient in closed form (no autograd), for
 * run-stacked unit embeddings. With {@code S = c z1 z2^T} ({@code c = 1/tau}) and unit vectors,
 * {@code |S_ij| <= c}, so a single pass {@code E = exp(S - c)} is safe (entries in
 * {@code [e^{-2c}, 1]}) and serves both directions:
 *
 * <pre>
 *   r_i = sum_j E_ij,  q_j = sum_i E_ij,
 *   L   = 1/(2B) sum_i [ ln r_i + ln q_i + 2c ] - 1/B sum_i S_ii
 *   dL/dS = ( E_ij / r_i + E_ij / q_j - 2 delta_ij ) / (2B)   (row plus column softmax)
 *   dL/dz1 = c dS z2,   dL/dz2 = c dS^T z1,   dL/d ln c = sum_ij dS_ij S_ij.
 * </pre>
 *
 * This does the work of autograd's two log-softmax passes with one exponential pass, which is
 * what makes large run-stacked sweeps fast; {@code ClosedFormGradientTest} checks it against
 * autograd. Valid for {@code c <= ~40} in float32 ({@code e^{-2c}} must stay a normal float).
 *
 * <p>Because the shift {@code c} is fixed, r and q are plain sums, so E can also be processed in
 * row blocks ({@link #compute(NDArray, NDArray, NDArray, boolean, int)}) when {@code [K, B, B]}
 * does not fit a memory budget: every quantity is a sum over rows except {@code E (b o z2)}, which
 * needs the finished column sums q and so a second pass over the blocks ({@link RowBlocks}, the
 * blocking that {@link BlockedLogits} uses for the other losses).
 */
public final class ClosedFormSymmetricInfoNce {
    private ClosedFormSymmetricInfoNce() {}

    /**
     * Loss and gradients.
     *
     * @param loss per-run loss {@code [K]}
     * @param gradZ1 {@code dL/dz1}, {@code [K, B, d]}
     * @param gradZ2 {@code dL/dz2}, {@code [K, B, d]}
     * @param gradLogScale {@code dL/d ln c}, {@code [K]}
     */
    public record Result(NDArray loss, NDArray gradZ1, NDArray gradZ2, NDArray gradLogScale) {}

    /**
     * @param z1 unit embeddings {@code [K, B, d]}
     * @param z2 unit embeddings {@code [K, B, d]}
     * @param logitScale {@code c = 1/tau} per run, {@code [K]}
     * @return loss and gradients, on {@code z1}'s manager
     */
    public static Result compute(NDArray z1, NDArray z2, NDArray logitScale) {
        return compute(z1, z2, logitScale, true);
    }

    /**
     * As {@link #compute(NDArray, NDArray, NDArray)}; without {@code scaleGradient} the
     * {@code dL/d ln c} pass is skipped (a fixed temperature) and {@link Result#gradLogScale()} is null.
     *
     * <p>{@code dS} is never formed: with {@code a = 1/r}, {@code b = 1/q},
     * {@code dL/dz1 = c/(2B) [a o (E z2) + E (b o z2) - 2 z2]} and
     * {@code dL/dz2 = c/(2B) [E^T (a o z1) + b o (E^T z1) - 2 z1]}. The {@code [K, B, B]} matrix
     * is touched as few times as possible: E is one product of the augmented rows
     * {@code [c z1, -c]} and {@code [z2, 1]} (so {@code c (cos - 1)} comes out of the product) and
     * one {@code exp}; r and q are two sums; the four thin products are two, each in its short-and-
     * wide form ({@code [z2, b o z2]^T E^T} and {@code [z1, a o z1]^T E}, {@code [K, 2d, B]}), which
     * libtorch's CPU kernels run about four times faster than the tall-and-thin {@code E [..]}.
     */
    public static Result compute(NDArray z1, NDArray z2, NDArray logitScale, boolean scaleGradient) {
        long k = z1.getShape().get(0);
        long b = z1.getShape().get(1);
        long d = z1.getShape().get(2);
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray ones = z1.getManager().ones(new Shape(k, b, 1), z1.getDataType());
        NDArray e = z1.mul(c).concat(ones.mul(c).negi(), 2).batchMatMul(z2.concat(ones, 2).transpose(0, 2, 1)).exp();
        NDArray r = e.sum(new int[] {2}, true);                                          // [K, B, 1]
        NDArray q = e.sum(new int[] {1}, true);                                          // [K, 1, B]
        NDArray aRow = r.pow(-1).transpose(0, 2, 1);                                     // a as [K, 1, B]
        NDArray bRow = q.pow(-1);                                                        // b as [K, 1, B]
        NDArray z1t = z1.transpose(0, 2, 1);                                             // [K, d, B]
        NDArray z2t = z2.transpose(0, 2, 1);
        NDArray ezT = z2t.concat(z2t.mul(bRow), 1).batchMatMul(e.transpose(0, 2, 1));   // (E z2)^T | (E (b z2))^T
        NDArray etzT = z1t.concat(z1t.mul(aRow), 1).batchMatMul(e);                      // (E^T z1)^T | (E^T (a z1))^T
        NDArray pairCos = z1.mul(z2).sum(new int[] {2});
        // L = (sum ln r + sum ln q) / 2B + c - (c/B) sum_i <z1_i, z2_i>
        NDArray loss = r.log().sum(new int[] {1, 2}).addi(q.log().sum(new int[] {1, 2})).muli(0.5 / b)
                .addi(logitScale).subi(pairCos.sum(new int[] {1}).muli(logitScale).muli(1.0 / b));
        NDArray g1 = ezT.get(":, :{}, :", d).mul(aRow).addi(ezT.get(":, {}:, :", d)).transpose(0, 2, 1);
        NDArray g2 = etzT.get(":, :{}, :", d).mul(bRow).addi(etzT.get(":, {}:, :", d)).transpose(0, 2, 1);
        NDArray gradZ1 = g1.sub(z2.mul(2)).muli(c).muli(0.5 / b);
        NDArray gradZ2 = g2.sub(z1.mul(2)).muli(c).muli(0.5 / b);
        NDArray a = aRow.transpose(0, 2, 1);
        NDArray bq = bRow.transpose(0, 2, 1);
        NDArray gradLogScale = null;
        if (scaleGradient) {
            // sum_ij dS_ij S_ij = 1/(2B) sum_ij E_ij (a_i + b_j) S_ij - (1/B) sum_i S_ii, with S = c cos
            NDArray s = z1.batchMatMul(z2.transpose(0, 2, 1)).muli(c);
            NDArray es = e.mul(s);
            NDArray rowTerm = es.sum(new int[] {2}, true).muli(a).sum(new int[] {1, 2});
            NDArray colTerm = es.sum(new int[] {1}, true).transpose(0, 2, 1).muli(bq).sum(new int[] {1, 2});
            gradLogScale = rowTerm.addi(colTerm).muli(0.5 / b).subi(pairCos.sum(new int[] {1}).muli(logitScale).muli(1.0 / b));
        }
        return new Result(loss, gradZ1, gradZ2, gradLogScale);
    }

    /**
     * As {@link #compute(NDArray, NDArray, NDArray, boolean)} for wide embeddings: the two
     * directions' weights are folded into one matrix {@code W = E o (a_i + b_j)} (so
     * {@code dL/dS = (W - 2I)/(2B)}), and {@code dL/dz1 = c/(2B) (W z2 - 2 z2)},
     * {@code dL/dz2 = c/(2B) (W^T z1 - 2 z1)} are two products of width d instead of two of width
     * 2d. Forming W costs two passes over {@code [K, B, B]}, which pays once d is more than a few
     * (an MLP's d = 64 halves the thin products' arithmetic; the paper's d = 2 would not gain).
     */
    public static Result computeFolded(NDArray z1, NDArray z2, NDArray logitScale, boolean scaleGradient) {
        long k = z1.getShape().get(0);
        long b = z1.getShape().get(1);
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray ones = z1.getManager().ones(new Shape(k, b, 1), z1.getDataType());
        NDArray e = z1.mul(c).concat(ones.mul(c).negi(), 2).batchMatMul(z2.concat(ones, 2).transpose(0, 2, 1)).exp();
        NDArray r = e.sum(new int[] {2}, true);                                          // [K, B, 1]
        NDArray q = e.sum(new int[] {1}, true);                                          // [K, 1, B]
        NDArray w = r.pow(-1).add(q.pow(-1)).muli(e);                                    // E o (a_i + b_j)
        NDArray pairCos = z1.mul(z2).sum(new int[] {2});
        NDArray pairTerm = pairCos.sum(new int[] {1}).muli(logitScale).muli(1.0 / b);
        NDArray loss = r.log().sum(new int[] {1, 2}).addi(q.log().sum(new int[] {1, 2})).muli(0.5 / b)
                .addi(logitScale).subi(pairTerm);
        NDArray wz2 = z2.transpose(0, 2, 1).batchMatMul(w.transpose(0, 2, 1)).transpose(0, 2, 1);   // W z2
        NDArray wtz1 = z1.transpose(0, 2, 1).batchMatMul(w).transpose(0, 2, 1);                     // W^T z1
        NDArray gradZ1 = wz2.sub(z2.mul(2)).muli(c).muli(0.5 / b);
        NDArray gradZ2 = wtz1.sub(z1.mul(2)).muli(c).muli(0.5 / b);
        NDArray gradLogScale = null;
        if (scaleGradient) {
            // sum_ij dS_ij S_ij = 1/(2B) sum_ij W_ij S_ij - (1/B) sum_i S_ii
            NDArray s = z1.batchMatMul(z2.transpose(0, 2, 1)).muli(c);
            gradLogScale = w.muli(s).sum(new int[] {1, 2}).muli(0.5 / b).subi(pairTerm);
        }
        return new Result(loss, gradZ1, gradZ2, gradLogScale);
    }

    /** Embedding width from which {@link #computeFolded} is the faster whole-matrix form. */
    public static final long FOLDED_MIN_DIM = 8;

    /**
     * As {@link #compute(NDArray, NDArray, NDArray, boolean)}, holding at most {@code rowBlock}
     * rows of E at a time ({@code [K, rowBlock, B]} instead of {@code [K, B, B]}). Pass one sums r,
     * q, {@code a o (E z2)}, {@code E^T (a o z1)}, {@code E^T z1} and, for the scale gradient, the
     * row and column sums of {@code E o S}; pass two recomputes each block for {@code E (b o z2)}.
     * Equal to the unblocked result up to summation order.
     *
     * @param rowBlock rows of E per block; {@code >= B} is the unblocked computation
     */
    public static Result compute(NDArray z1, NDArray z2, NDArray logitScale, boolean scaleGradient, int rowBlock) {
        long b = z1.getShape().get(1);
        if (rowBlock >= b) {
            return z1.getShape().get(2) >= FOLDED_MIN_DIM ? computeFolded(z1, z2, logitScale, scaleGradient)
                    : compute(z1, z2, logitScale, scaleGradient);
        }
        if (rowBlock < 1) {
            throw new IllegalArgumentException("rowBlock: must be >= 1, got " + rowBlock);
        }
        NDManager out = z1.getManager();
        long k = z1.getShape().get(0);
        long d = z1.getShape().get(2);
        DataType dt = z1.getDataType();
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray ones = out.ones(new Shape(k, b, 1), dt);
        NDArray z1aug = z1.mul(c).concat(ones.mul(c).negi(), 2);                       // [c z1, -c]
        NDArray z2augT = z2.concat(ones, 2).transpose(0, 2, 1);                         // [z2, 1]^T
        // Everything that outlives a block is allocated here, before the loop, and updated in
        // place: a block leaves nothing behind, so the allocator reuses the same memory for every
        // block (arrays kept per block, interleaved with the freed [K, rows, B] ones, fragmented
        // the heap until the resident size grew with the number of blocks).
        NDArray q = out.zeros(new Shape(k, 1, b), dt);            // column sums of E
        NDArray etz = out.zeros(new Shape(k, b, 2 * d), dt);      // [E^T (a o z1), E^T z1]
        NDArray logRSum = out.zeros(new Shape(k), dt);            // sum_i ln r_i
        NDArray aEz2 = out.zeros(new Shape(k, b, d), dt);         // a o (E z2)
        NDArray eBz2 = out.zeros(new Shape(k, b, d), dt);         // E (b o z2)
        NDArray esCol = scaleGradient ? out.zeros(new Shape(k, 1, b), dt) : null;   // column sums of E o S
        NDArray rowTerm = scaleGradient ? out.zeros(new Shape(k), dt) : null;       // sum_i a_i sum_j E_ij S_ij
        RowBlocks blocks = new RowBlocks(z1aug, z2augT, b, rowBlock);
        for (int i = 0; i < blocks.count; i++) {
            NDIndex rows = blocks.index(i);
            try (NDManager scope = out.newSubManager()) {
                // the block's first operand lives on the block scope, so everything derived from it
                // is freed with the block
                NDArray e = blocks.logits(i, scope).exp();                             // exp(c (cos - 1))
                NDArray r = e.sum(new int[] {2}, true);
                NDArray a = r.pow(-1);
                NDArray z1b = blocks.rowsOf(z1, i, scope);
                q.addi(e.sum(new int[] {1}, true));
                etz.addi(e.transpose(0, 2, 1).batchMatMul(z1b.mul(a).concat(z1b, 2)));
                logRSum.addi(r.log().sum(new int[] {1, 2}));
                aEz2.set(rows, e.batchMatMul(z2).muli(a));
                if (scaleGradient) {
                    NDArray es = e.mul(z1b.batchMatMul(z2.transpose(0, 2, 1)).muli(c));
                    esCol.addi(es.sum(new int[] {1}, true));
                    rowTerm.addi(es.sum(new int[] {2}, true).muli(a).sum(new int[] {1, 2}));
                }
            }
        }
        NDArray bq = q.pow(-1).transpose(0, 2, 1);                                       // [K, B, 1]
        NDArray z2b = z2.mul(bq);
        for (int i = 0; i < blocks.count; i++) {
            try (NDManager scope = out.newSubManager()) {
                eBz2.set(blocks.index(i), blocks.logits(i, scope).exp().batchMatMul(z2b));
            }
        }
        NDArray pairCos = z1.mul(z2).sum(new int[] {2});
        NDArray pairTerm = pairCos.sum(new int[] {1}).muli(logitScale).muli(1.0 / b);
        NDArray loss = logRSum.addi(q.log().sum(new int[] {1, 2})).muli(0.5 / b).addi(logitScale).subi(pairTerm);
        NDArray gradZ1 = aEz2.addi(eBz2).subi(z2.mul(2)).muli(c).muli(0.5 / b);
        NDArray gradZ2 = etz.get(":, :, :{}", d).add(etz.get(":, :, {}:", d).muli(bq)).subi(z1.mul(2)).muli(c).muli(0.5 / b);
        NDArray gradLogScale = null;
        if (scaleGradient) {
            NDArray colTerm = esCol.transpose(0, 2, 1).mul(bq).sum(new int[] {1, 2});
            gradLogScale = rowTerm.addi(colTerm).muli(0.5 / b).subi(pairTerm);
        }
        return new Result(loss, gradZ1, gradZ2, gradLogScale);
    }
}
