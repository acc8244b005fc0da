package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shift versus shape: the two-sample statistics again after each modality is centred (its
 * whole-set mean subtracted, not renormalised), which removes a pure translation and keeps every
 * other difference (Zhang et al. 2024; Schrodi et al. 2025). Measured per repeat on the first
 * {@link #POINTS} distinct rows of each of the repeat's two independent samples (each image once),
 * in R^d with Euclidean distances: energy distance and MMD^2 (unbiased, RBF at the report's 1x
 * bandwidth), and the k-NN Jeffreys divergence at the report's k with Euclidean balls of the data's
 * intrinsic dimension, beside the same k-NN J before centring on the same points (k-NN J depends
 * on m, so the two are comparable only with each other). Energy and MMD^2 are unbiased, so their
 * centred values compare with the main rows directly.
 */
final class CentredTwoSampleEstimator implements Estimator {
    /** Points per side of the centred statistics. */
    static final int POINTS = 500;
    /** Repeats that measure them (the first ones): their mean and sd are over these. */
    static final int REPEATS = 5;

    @Override
    public String name() {
        return "centred two-sample statistics";
    }

    @Override
    public String description() {
        return "energy, MMD^2 and k-NN J after centring each modality: the part of the gap that is not a translation";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.POOLED_DISTANCES, Need.KNN);
    }

    @Override
    public List<Statistic> statistics() {
        String sample = "independent";
        return List.of(
                new Statistic("centred_energy_distance", "shift-shape", sample, "distance; 0 = same shape",
                        "energy distance after centring each modality (" + POINTS + " points per side, first " + REPEATS + " repeats)"),
                new Statistic("centred_mmd2_rbf_1x", "shift-shape", sample, "squared RKHS distance; 0 = same shape",
                        "MMD^2 after centring, RBF s = median cross distance (" + POINTS + " per side, first " + REPEATS + " repeats)"),
                new Statistic("centred_knn_jeffreys", "shift-shape", sample, "nats; 0 = same shape",
                        "k-NN J after centring, Euclidean balls (" + POINTS + " per side, first " + REPEATS + " repeats)"),
                new Statistic("uncentred_knn_jeffreys_small", "shift-shape", sample, "nats",
                        "k-NN J before centring on the same " + POINTS + " points per side, Euclidean balls"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return !Double.isNaN(c.medianCrossDistance());
    }

    @Override
    public void repeat(RepeatContext c, Map<String, Double> out) {
        WholeSetContext w = c.whole();
        if (c.repeat() >= REPEATS) {
            return;
        }
        int k = w.options().k();
        int n = Math.min(POINTS, Math.min(c.xRows().length, c.yRows().length));
        if (n <= k + 1) {
            w.note("centred two-sample statistics skipped: " + n + " points per side, k-NN needs more than k + 1 = " + (k + 1));
            return;
        }
        long[] xr = new long[n];
        long[] yr = new long[n];
        for (int i = 0; i < n; i++) {
            xr[i] = c.xRows()[i];
            yr[i] = c.yRows()[i];
        }
        int d = w.dim();
        int intrinsic = w.options().manifold().intrinsicDim(d);
        List<DistanceKernel> kernels = List.of(DistanceKernel.distance(), DistanceKernel.rbf(w.medianCrossDistance()));
        int[] ones = new int[n];
        java.util.Arrays.fill(ones, 1);
        try (NDManager s = w.scope().newSubManager()) {
            Pairwise.tempAttach(s, w.z1Work(), w.z2Work());
            NDArray x = w.z1Work().get(new NDIndex("{}", s.create(xr)));
            NDArray y = w.z2Work().get(new NDIndex("{}", s.create(yr)));
            NDArray mu1 = s.create(w.mean1()).toType(x.getDataType(), false);
            NDArray mu2 = s.create(w.mean2()).toType(x.getDataType(), false);
            PooledPass.Plan plan = new PooledPass.Plan(n, ones, kernels, 0, 0, 0, new int[] {k}, 0, false);
            PooledPass.Result centred = PooledPass.run(NDArrays.concat(new NDList(x.sub(mu1), y.sub(mu2))), plan, w.pairwise());
            PooledPass.Result raw = PooledPass.run(NDArrays.concat(new NDList(x, y)), plan, w.pairwise());
            out.put("centred_energy_distance", 2 * centred.sxy()[0][0] - centred.sxx()[0][0] - centred.syy()[0][0]);
            out.put("centred_mmd2_rbf_1x", centred.sxx()[1][0] + centred.syy()[1][0] - 2 * centred.sxy()[1][0]);
            out.put("centred_knn_jeffreys", jeffreys(centred, intrinsic));
            out.put("uncentred_knn_jeffreys_small", jeffreys(raw, intrinsic));
        }
    }

    private static double jeffreys(PooledPass.Result r, int dim) {
        return KnnDivergence.fromDistances(r.withinX()[0], r.crossX()[0], r.withinY()[0], r.crossY()[0], dim, Manifold.EUCLIDEAN).jeffreys();
    }
}
