package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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
        long k = z1.getShape().get(0);
        long b = z1.getShape().get(1);
        long d = z1.getShape().get(2);
        DataType dt = z1.getDataType();
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray z1c = z1.mul(c);
        NDArray z2t = z2.transpose(0, 2, 1);
        RowBlocks blocks = new RowBlocks(z1c, z2t, b, req.rowBlock());
        boolean rows = wRow > 0;
        boolean cols = wCol > 0;
        // Whatever outlives a block is allocated before the loops and updated in place (see RowBlocks).
        NDArray rowShift = c;                                    // [K, B, 1] exact row maxima, or c
        NDArray colShift = c;                                    // [K, 1, B] exact column maxima, or c
        if (!req.unitShift()) {
            rowShift = out.zeros(new Shape(k, b, 1), dt);
            colShift = out.zeros(new Shape(k, 1, b), dt);
            for (int i = 0; i < blocks.count; i++) {
                try (NDManager scope = out.newSubManager()) {
                    NDArray s = blocks.logits(i, scope);
                    rowShift.set(blocks.index(i), s.max(new int[] {2}, true));
                    NDArray colMax = s.max(new int[] {1}, true);
                    colShift.set(new NDIndex(":"), i == 0 ? colMax : colMax.maximum(colShift));
                }
            }
        }
        NDArray lseRow = out.zeros(new Shape(k), dt);
        NDArray scaleRow = out.zeros(new Shape(k), dt);
        NDArray gz1 = out.zeros(new Shape(k, b, d), dt);
        NDArray gz2Row = out.zeros(new Shape(k, b, d), dt);
        NDArray q = out.zeros(new Shape(k, 1, b), dt);
        NDArray u = out.zeros(new Shape(k, b, d), dt);
        NDArray colEs = out.zeros(new Shape(k, 1, b), dt);
        for (int i = 0; i < blocks.count; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray s = blocks.logits(i, scope);
                NDArray z1b = blocks.rowsOf(z1, i, scope);
                NDArray shift = req.unitShift() ? c : blocks.rowsOf(rowShift, i, scope);
                NDArray er = null;
                if (rows) {
                    er = s.sub(shift).exp();
                    NDArray r = er.sum(new int[] {2}, true);
                    lseRow.addi(r.log().addi(shift).sum(new int[] {1, 2}));
                    NDArray p = er.div(r);
                    gz1.set(blocks.index(i), p.batchMatMul(z2).muli(wRow));
                    gz2Row.addi(p.transpose(0, 2, 1).batchMatMul(z1b));
                    if (req.scaleGradient()) {
                        scaleRow.addi(p.mul(s).sum(new int[] {1, 2}));
                    }
                }
                if (cols) {
                    NDArray ec = req.unitShift() && er != null ? er : s.sub(colShift).exp();
                    q.addi(ec.sum(new int[] {1}, true));
                    u.addi(ec.transpose(0, 2, 1).batchMatMul(z1b));
                    if (req.scaleGradient()) {
                        colEs.addi(ec.mul(s).sum(new int[] {1}, true));
                    }
                }
            }
        }
        NDArray diag = z1c.mul(z2).sum(new int[] {2}).sum(new int[] {1});  // sum_i S_ii, [K]
        NDArray loss = diag.mul(-(wRow + wCol));
        NDArray gradZ1 = gz1.subi(z2.mul(wRow + wCol));
        NDArray gradZ2 = z1.mul(-(wRow + wCol));
        NDArray scaleGrad = req.scaleGradient() ? diag.mul(-(wRow + wCol)) : null;
        if (rows) {
            loss.addi(lseRow.muli(wRow));
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
            NDArray colPart = out.zeros(new Shape(k, b, d), dt);
            for (int i = 0; i < blocks.count; i++) {
                try (NDManager scope = out.newSubManager()) {
                    NDArray ec = blocks.logits(i, scope).sub(colShift).exp();
                    colPart.set(blocks.index(i), ec.batchMatMul(z2q));
                }
            }
            gradZ1.addi(colPart);
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
        long k = z1.getShape().get(0);
        long b = z1.getShape().get(1);
        long d = z1.getShape().get(2);
        DataType dt = z1.getDataType();
        NDArray c = logitScale.reshape(-1, 1, 1);
        NDArray bb = bias.reshape(-1, 1, 1);
        NDArray z1c = z1.mul(c);
        NDArray z2t = z2.transpose(0, 2, 1);
        RowBlocks blocks = new RowBlocks(z1c, z2t, b, req.rowBlock());
        NDArray softplusSum = out.zeros(new Shape(k), dt);
        NDArray sigmoidSum = out.zeros(new Shape(k), dt);
        NDArray sigmoidS = out.zeros(new Shape(k), dt);
        NDArray gz1 = out.zeros(new Shape(k, b, d), dt);
        NDArray gz2 = out.zeros(new Shape(k, b, d), dt);
        for (int i = 0; i < blocks.count; i++) {
            try (NDManager scope = out.newSubManager()) {
                NDArray s = blocks.logits(i, scope);
                NDArray z1b = blocks.rowsOf(z1, i, scope);
                NDArray t = s.add(bb);
                // softplus(t) = max(t, 0) + log(1 + exp(-|t|)), stable for either sign
                NDArray softplus = t.abs().negi().exp().addi(1).log().addi(t.maximum(0));
                softplusSum.addi(softplus.sum(new int[] {1, 2}));
                NDArray sig = ai.djl.nn.Activation.sigmoid(t);
                gz1.set(blocks.index(i), sig.batchMatMul(z2));
                gz2.addi(sig.transpose(0, 2, 1).batchMatMul(z1b));
                if (req.scaleGradient()) {
                    sigmoidS.addi(sig.mul(s).sum(new int[] {1, 2}));
                }
                sigmoidSum.addi(sig.sum(new int[] {1, 2}));
            }
        }
        NDArray diag = z1c.mul(z2).sum(new int[] {2}).sum(new int[] {1});  // sum_i S_ii, [K]
        NDArray flatBias = bias.reshape(-1);
        NDArray loss = softplusSum.subi(diag).subi(flatBias.mul(b)).muli(1.0 / b);
        NDArray gradZ1 = gz1.subi(z2).muli(c).muli(1.0 / b);
        NDArray gradZ2 = gz2.subi(z1).muli(c).muli(1.0 / b);
        NDArray scaleGrad = req.scaleGradient() ? sigmoidS.subi(diag).muli(1.0 / b) : null;
        NDArray biasGrad = sigmoidSum.subi(b).muli(1.0 / b);
        return new LossGradient(loss, gradZ1, gradZ2, scaleGrad, biasGrad);
    }
}
