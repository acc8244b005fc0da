package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Closed-form value and embedding gradient of the logit losses, holding at most a row block
 * {@code [K, rows, B]} of the logits {@code S = c z1 z2^T} at a time. Memory is
 * {@code O(K B d + K rows B)}; nothing of size {@code B x B} outlives a block.
 *
 * <p>Every block's temporaries live in a sub-scope closed when the block ends. (An op's result
 * belongs to its first operand's manager, so the block's first operand is attached to that
 * scope: slicing {@code z1} alone would leave every block's arrays on the step scope, which
 * made memory grow with B squared.)
 */
final class BlockedLogits {
    private BlockedLogits() {}

    /**
     * The softmax family: with row softmax {@code P = softmax_j(S)}, column softmax
     * {@code Q = softmax_i(S)} and weights {@code wRow, wCol} (each already divided by B),
     *
     * <pre>
     *   L      = wRow sum_i lse_j(S_ij) + wCol sum_j lse_i(S_ij) - (wRow + wCol) sum_i S_ii
     *   dL/dS  = wRow P + wCol Q - (wRow + wCol) I
     *   dL/dz1 = c dL/dS z2,  dL/dz2 = c dL/dS^T z1,  dL/d ln c = sum_ij dL/dS_ij S_ij.
     * </pre>
     *
     * Symmetric InfoNCE is {@code wRow = wCol = 1/(2B)}, one-directional InfoNCE one of them
     * {@code 1/B}. Rows are complete within a block; columns need their sums over all blocks,
     * so {@code Q z2} takes a second pass (and exact maxima a pass before, unless the request's
     * single shift applies).
     */
    static LossGradient softmax(NDArray z1, NDArray z2, NDArray logitScale, double wRow, double wCol, GradientRequest req) {
        NDManager out = z1.getManager();
        long b = z1.getShape().get(1);
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray z1c = z1.mul(c);
        NDArray z2t = z2.transpose(0, 2, 1);
        Blocks blocks = new Blocks(z1c, z2t, b, req.rowBlock());
        boolean rows = wRow > 0;
        boolean cols = wCol > 0;
        // shifts: c for unit embeddings, else exact row maxima and column maxima
        NDArray[] rowShift = new NDArray[blocks.count];
        NDArray colShift = c;
        if (!req.unitShift()) {
            colShift = null;
            for (int i = 0; i < blocks.count; i++) {
                try (NDManager scope = out.newSubManager()) {
                    NDArray s = blocks.logits(i, scope);
                    rowShift[i] = keep(s.max(new int[] {2}, true), out);
                    NDArray colMax = s.max(new int[] {1}, true);
                    if (colShift != null) {
                        colMax = colMax.maximum(colShift);
                        colShift.close();
                    }
                    colShift = keep(colMax, out);
                }
            }
        } else {
            java.util.Arrays.fill(rowShift, c);
        }
        NDArray lseRow = null;
        NDArray scaleRow = null;
        NDArray gz2Row = null;
        NDArray q = null;
        NDArray u = null;
        NDArray colEs = null;
        NDList rowParts = new NDList();
        for (int i = 0; i < blocks.count; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray s = blocks.logits(i, scope);
                NDArray z1b = blocks.rowsOf(z1, i, scope);
                NDArray er = null;
                if (rows) {
                    er = s.sub(rowShift[i]).exp();
                    NDArray r = er.sum(new int[] {2}, true);
                    lseRow = accumulate(lseRow, r.log().addi(rowShift[i]).sum(new int[] {1, 2}), out);
                    NDArray p = er.div(r);
                    rowParts.add(keep(p.batchMatMul(z2).muli(wRow), out));
                    gz2Row = accumulate(gz2Row, p.transpose(0, 2, 1).batchMatMul(z1b), out);
                    if (req.scaleGradient()) {
                        scaleRow = accumulate(scaleRow, p.mul(s).sum(new int[] {1, 2}), out);
                    }
                }
                if (cols) {
                    NDArray ec = req.unitShift() && er != null ? er : s.sub(colShift).exp();
                    q = accumulate(q, ec.sum(new int[] {1}, true), out);
                    u = accumulate(u, ec.transpose(0, 2, 1).batchMatMul(z1b), out);
                    if (req.scaleGradient()) {
                        colEs = accumulate(colEs, ec.mul(s).sum(new int[] {1}, true), out);
                    }
                }
            }
        }
        NDArray pairS = z1c.mul(z2).sum(new int[] {2});                      // S_ii, [K, B]
        NDArray diag = pairS.sum(new int[] {1});                             // [K]
        NDArray loss = diag.mul(-(wRow + wCol));
        NDArray gradZ1 = rows ? NDArrays.concat(rowParts, 1).subi(z2.mul(wRow + wCol)) : z2.mul(-(wRow + wCol));
        NDArray gradZ2 = z1.mul(-(wRow + wCol));
        NDArray scaleGrad = req.scaleGradient() ? diag.mul(-(wRow + wCol)) : null;
        if (rows) {
            loss.addi(lseRow.mul(wRow));
            gradZ2.addi(gz2Row.muli(wRow));
            if (scaleGrad != null) {
                scaleGrad.addi(scaleRow.muli(wRow));
            }
        }
        if (cols) {
            NDArray invQ = q.pow(-1);                                        // [K, 1, B]
            loss.addi(q.log().addi(colShift).sum(new int[] {1, 2}).muli(wCol));
            NDArray invQt = invQ.transpose(0, 2, 1);                         // [K, B, 1]
            gradZ2.addi(u.muli(invQt).muli(wCol));
            if (scaleGrad != null) {
                scaleGrad.addi(colEs.muli(invQ).sum(new int[] {1, 2}).muli(wCol));
            }
            // second pass: Q z2 = E (z2 / q) needs the finished column sums
            NDArray z2q = z2.mul(invQt).muli(wCol);
            NDList colParts = new NDList();
            for (int i = 0; i < blocks.count; i++) {
                try (NDManager scope = out.newSubManager()) {
                    NDArray ec = blocks.logits(i, scope).sub(colShift).exp();
                    colParts.add(keep(ec.batchMatMul(z2q), out));
                }
            }
            gradZ1.addi(NDArrays.concat(colParts, 1));
        }
        return new LossGradient(loss, gradZ1.muli(c), gradZ2.muli(c), scaleGrad, null);
    }

    /**
     * SigLIP's pairwise sigmoid loss with logits {@code T = S + b}: with labels +1 on the
     * diagonal and -1 elsewhere, {@code softplus(-l t) = softplus(t) - [i = j] t}, so
     *
     * <pre>
     *   L      = 1/B [ sum_ij softplus(T_ij) - sum_i T_ii ]
     *   dL/dT  = ( sigmoid(T) - I ) / B,   dL/db = sum_ij dL/dT_ij,   dL/d ln c = sum_ij dL/dT_ij S_ij.
     * </pre>
     *
     * Every row block is complete on its own: one pass.
     *
     * @param bias per-run bias b, {@code [K]}
     */
    static LossGradient sigmoid(NDArray z1, NDArray z2, NDArray logitScale, NDArray bias, GradientRequest req) {
        NDManager out = z1.getManager();
        long b = z1.getShape().get(1);
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray bb = bias.reshape(-1, 1, 1);
        NDArray z1c = z1.mul(c);
        NDArray z2t = z2.transpose(0, 2, 1);
        Blocks blocks = new Blocks(z1c, z2t, b, req.rowBlock());
        NDArray softplusSum = null;
        NDArray sigmoidSum = null;
        NDArray sigmoidS = null;
        NDArray gz2 = null;
        NDList rowParts = new NDList();
        for (int i = 0; i < blocks.count; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray s = blocks.logits(i, scope);
                NDArray z1b = blocks.rowsOf(z1, i, scope);
                NDArray t = s.add(bb);
                // softplus(t) = max(t, 0) + log(1 + exp(-|t|)), stable for either sign
                NDArray softplus = t.abs().negi().exp().addi(1).log().addi(t.maximum(0));
                softplusSum = accumulate(softplusSum, softplus.sum(new int[] {1, 2}), out);
                NDArray sig = ai.djl.nn.Activation.sigmoid(t);
                rowParts.add(keep(sig.batchMatMul(z2), out));
                gz2 = accumulate(gz2, sig.transpose(0, 2, 1).batchMatMul(z1b), out);
                if (req.scaleGradient()) {
                    sigmoidS = accumulate(sigmoidS, sig.mul(s).sum(new int[] {1, 2}), out);
                }
                sigmoidSum = accumulate(sigmoidSum, sig.sum(new int[] {1, 2}), out);
            }
        }
        NDArray diag = z1c.mul(z2).sum(new int[] {2}).sum(new int[] {1});  // sum_i S_ii, [K]
        NDArray flatBias = bias.reshape(-1);
        NDArray loss = softplusSum.sub(diag).subi(flatBias.mul(b)).muli(1.0 / b);
        NDArray gradZ1 = NDArrays.concat(rowParts, 1).subi(z2).muli(c).muli(1.0 / b);
        NDArray gradZ2 = gz2.subi(z1).muli(c).muli(1.0 / b);
        NDArray scaleGrad = req.scaleGradient() ? sigmoidS.sub(diag).muli(1.0 / b) : null;
        NDArray biasGrad = sigmoidSum.sub(b).muli(1.0 / b);
        return new LossGradient(loss, gradZ1, gradZ2, scaleGrad, biasGrad);
    }

    /** Adds a block's part to a running sum kept on {@code out}. */
    static NDArray accumulate(NDArray sum, NDArray part, NDManager out) {
        if (sum == null) {
            part.attach(out);
            return part;
        }
        return sum.addi(part);
    }

    private static NDArray keep(NDArray a, NDManager out) {
        a.attach(out);
        return a;
    }

    /** Row blocks of the logits; with one block the logits are computed once and reused. */
    private static final class Blocks {
        final NDArray z1c;
        final NDArray z2t;
        final long b;
        final long rows;
        final int count;
        private NDArray whole;

        Blocks(NDArray z1c, NDArray z2t, long b, int rowBlock) {
            this.z1c = z1c;
            this.z2t = z2t;
            this.b = b;
            this.rows = Math.min(b, rowBlock);
            this.count = (int) ((b + rows - 1) / rows);
        }

        /** @return rows of the block {@code [K, rows, B]}, owned by {@code scope} (or reused when whole) */
        NDArray logits(int i, NDManager scope) {
            if (count == 1) {
                if (whole == null) {
                    whole = z1c.batchMatMul(z2t);
                }
                return whole;
            }
            return rowsOf(z1c, i, scope).batchMatMul(z2t);
        }

        /** @return rows of block i of {@code a} {@code [K, B, *]}, attached to {@code scope} */
        NDArray rowsOf(NDArray a, int i, NDManager scope) {
            if (count == 1) {
                return a;
            }
            NDArray part = a.get(":, {}:{}", i * rows, Math.min(b, (i + 1) * rows));
            part.attach(scope);
            return part;
        }
    }
}
