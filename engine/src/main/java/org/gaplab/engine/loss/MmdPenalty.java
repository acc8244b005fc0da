package org.gaplab.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.gaplab.models.Scalars;

/**
 * Squared maximum mean discrepancy between the batch embeddings of the two towers (Gretton et al.,
 * JMLR 2012), a cross-modal divergence penalty (docs/theory.md section 5: closing the gap needs an
 * explicit divergence term). <b>Biased</b> V-statistic (all B^2 ordered pairs of each block,
 * diagonal included; never negative), Gaussian RBF kernel on the squared chordal distance:
 *
 * <pre>
 *   k(a, b)  = exp( -||a - b||^2 / (2 s^2) ),
 *   MMD^2_b  = 1/B^2 sum_ij k(z1_i, z1_j) + 1/B^2 sum_ij k(z2_i, z2_j) - 2/B^2 sum_ij k(z1_i, z2_j),
 *   s^2      = median_ij ||z1_i - z2_j||^2    (median heuristic, per run, held out of the gradient).
 * </pre>
 *
 * The bandwidth is a constant for the backward pass ({@code stopGradient}), so the gradient is that
 * of MMD^2 at a fixed kernel; letting it flow would let the model lower the penalty by stretching
 * s. It is floored at 1e-6 so that identical batches give MMD^2 = 0 instead of 0/0. (The median of
 * the B^2 values is PyTorch's, the lower of the two middle values.) This is the measurement layer's
 * {@code mmd2_rbf_1x} of one batch, with the batch's own bandwidth.
 */
public final class MmdPenalty implements CrossModalPenalty {
    /** Floor of the squared bandwidth. */
    static final double MIN_BANDWIDTH_SQUARED = 1e-6;

    @Override
    public NDArray perRun(NDArray z1, NDArray z2) {
        NDArray d11 = squaredDistances(z1, z1);
        NDArray d22 = squaredDistances(z2, z2);
        NDArray d12 = squaredDistances(z1, z2);
        long k = d12.getShape().get(0);
        NDArray s2 = d12.stopGradient().reshape(k, -1).median(new int[] {1}).maximum(MIN_BANDWIDTH_SQUARED);
        NDArray scale = s2.mul(-2).reshape(k, 1, 1); // -2 s^2
        NDArray within = meanKernel(d11, scale).add(meanKernel(d22, scale));
        return within.sub(Scalars.mul(meanKernel(d12, scale), 2));
    }

    /**
     * The value and its gradient at the fixed bandwidth, in closed form. With {@code K_ij = k(a_i, b_j)}
     * and {@code c = 1 / (B^2 s^2)}:
     *
     * <pre>
     *   dMMD^2/da_i = 2c [ (sum_j K12_ij - sum_l K11_il) a_i + (K11 A)_i - (K12 B)_i ],
     *   dMMD^2/db_j = 2c [ (sum_i K12_ij - sum_l K22_jl) b_j + (K22 B)_j - (K12^T A)_j ],
     * </pre>
     *
     * from {@code dk(x, y)/dx = -k(x, y) (x - y) / s^2}. The three {@code [K, B, B]} kernel
     * matrices live at once, so memory grows with B^2 (the median needs all cross distances
     * anyway); there is no autograd graph.
     */
    @Override
    public NDList valueAndGradient(NDArray z1, NDArray z2) {
        long k = z1.getShape().get(0);
        long b = z1.getShape().get(1);
        // every [K, B, B] temporary is closed as soon as the next one exists: at most four such
        // arrays are alive at once (two kernels, then a distance and its kernel), besides the median's sort
        NDArray k12 = distancesNoGraph(z1, z2);
        NDArray s2;
        try (NDArray flat = k12.reshape(k, -1)) {
            // a view shares the storage: left open, it would keep the distances alive after k12 closes
            s2 = flat.median(new int[] {1}).maximum(MIN_BANDWIDTH_SQUARED);
        }
        NDArray scale = s2.mul(-2).reshape(k, 1, 1); // -2 s^2
        k12 = kernelOf(k12, scale);
        NDArray k11 = kernelOf(distancesNoGraph(z1, z1), scale);
        NDArray k22 = kernelOf(distancesNoGraph(z2, z2), scale);
        NDArray value = mean(k11).add(mean(k22)).sub(mean(k12).mul(2));
        NDArray twoC = s2.mul((double) b * b).pow(-1).mul(2).reshape(k, 1, 1);
        NDArray k12t = k12.transpose(0, 2, 1);
        NDArray g1 = k12.sum(new int[] {2}, true).sub(k11.sum(new int[] {2}, true)).mul(z1)
                .add(k11.batchMatMul(z1)).sub(k12.batchMatMul(z2)).mul(twoC);
        NDArray g2 = k12t.sum(new int[] {2}, true).sub(k22.sum(new int[] {2}, true)).mul(z2)
                .add(k22.batchMatMul(z2)).sub(k12t.batchMatMul(z1)).mul(twoC);
        k12t.close();
        k11.close();
        k22.close();
        k12.close();
        return new NDList(value, g1, g2);
    }

    /** {@code exp(d / scale)}; closes {@code d}. */
    private static NDArray kernelOf(NDArray d, NDArray scale) {
        NDArray k = d.divi(scale).exp();
        d.close();
        return k;
    }

    /** As {@link #squaredDistances} for arrays without a graph, with one [K, B, B] temporary instead of four. */
    private static NDArray distancesNoGraph(NDArray a, NDArray b) {
        NDArray d = a.batchMatMul(b.transpose(0, 2, 1)).muli(-2);
        d.addi(a.square().sum(new int[] {2}, true)).addi(b.square().sum(new int[] {2}, true).transpose(0, 2, 1));
        NDArray clamped = d.maximum(0);
        d.close();
        return clamped;
    }

    @Override
    public boolean hasGradient() {
        return true;
    }

    private static NDArray mean(NDArray kernel) {
        try (NDArray flat = kernel.reshape(kernel.getShape().get(0), -1)) {
            return flat.mean(new int[] {1});
        }
    }

    /** {@code mean_ij exp(d_ij / scale)} per run (PyTorch's mean reduces one axis here: flatten first). */
    private static NDArray meanKernel(NDArray d2, NDArray scale) {
        return d2.div(scale).exp().reshape(d2.getShape().get(0), -1).mean(new int[] {1});
    }

    /** {@code ||a_i - b_j||^2} per run, {@code [K, B, B]}, clamped at 0 against rounding. */
    static NDArray squaredDistances(NDArray a, NDArray b) {
        NDArray na = a.square().sum(new int[] {2}, true);
        NDArray nb = b.square().sum(new int[] {2}, true).transpose(0, 2, 1);
        return Scalars.atLeast(na.add(nb).sub(Scalars.mul(a.batchMatMul(b.transpose(0, 2, 1)), 2)), 0);
    }

    @Override
    public String toString() {
        return "MMD^2 (biased, RBF, median-heuristic bandwidth held out of the gradient)";
    }
}
