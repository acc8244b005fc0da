package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The embedding-shift experiment (after Liang et al. 2022, figure 3): with g the unit gap
 * direction {@code (mu1 - mu2) / ||mu1 - mu2||} (each image once), every delta of a grid moves the
 * unit embeddings to {@code x' = normalise(x - (delta/2) g)} and {@code y' = normalise(y + (delta/2) g)},
 * measures the centroid gap again, and evaluates the true symmetric InfoNCE (both directions'
 * own logits) at each temperature and the full-set R@1 both ways. The loss uses fixed batches of
 * B pairs (one caption per image, drawn with the seed; the same batches at every delta), so the
 * memory is O(B^2) whatever n is; retrieval is the chunked whole-set protocol. Where the loss is
 * smallest tells whether the measured gap sits at a minimum of the objective.
 */
public final class ShiftExperiment {
    /** Default batch of the loss. */
    public static final int DEFAULT_BATCH = 1024;

    private ShiftExperiment() {}

    /**
     * The default grid: multiples -1, -0.75, ..., 2 of the unshifted gap (13 points, 0 included).
     *
     * @param gap the unshifted centroid gap
     * @return the grid
     */
    public static double[] defaultGrid(double gap) {
        double[] g = new double[13];
        for (int i = 0; i < g.length; i++) {
            g[i] = gap * (-1 + 0.25 * i);
        }
        g[4] = 0;
        return g;
    }

    /**
     * @param z1 modality 1, unit rows, float64
     * @param z2 modality 2, unit rows, float64
     * @param partner modality-1 row of each modality-2 row
     * @param grid the deltas (null = {@link #defaultGrid}); must contain 0
     * @param taus temperatures of the loss
     * @param batch pairs per batch of the loss
     * @param seed root seed
     * @param pairwise chunk budget of the retrieval
     * @return the experiment
     * @throws UserException on a grid without 0, a gap vector of norm 0, or a bad temperature or batch
     */
    static GapReport.ShiftResult run(NDArray z1, NDArray z2, int[] partner, double[] grid, double[] taus, int batch, long seed,
            Pairwise pairwise) {
        if (taus.length == 0) {
            throw new UserException("--shift needs a temperature: a run brings its own; give --tau, --logit-scale or --shift-tau");
        }
        for (double t : taus) {
            if (!(t > 0) || !Double.isFinite(t)) {
                throw new UserException("--shift-tau values must be > 0, got " + t);
            }
        }
        if (batch < 2) {
            throw new UserException("--shift-batch must be >= 2, got " + batch);
        }
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        DataType work = z1.getShape().get(1) > GapMeasurer.WORK_FLOAT32_ABOVE ? DataType.FLOAT32 : DataType.FLOAT64;
        NDManager outer = z1.getManager();
        double[] g;
        double gap0;
        try (NDManager s = outer.newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray diff = z1.mean(new int[] {0}).sub(z2.mean(new int[] {0}));
            gap0 = Pairwise.scalar(diff.norm());
            if (!(gap0 > 0)) {
                throw new UserException("--shift: the gap vector mean(z1) - mean(z2) has norm 0, so there is no gap direction to move along");
            }
            g = diff.div(gap0).toDoubleArray();
        }
        double[] deltas = grid == null ? defaultGrid(gap0) : grid.clone();
        Arrays.sort(deltas);
        if (Arrays.stream(deltas).noneMatch(v -> v == 0)) {
            throw new UserException("--shift-grid must contain 0 (the unshifted embeddings), got " + Arrays.toString(grid));
        }
        for (double v : deltas) {
            if (!Double.isFinite(v)) {
                throw new UserException("--shift-grid values must be finite, got " + v);
            }
        }
        // fixed batches: one caption per image, shuffled, cut into batches of B
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "measure.shift", 0));
        int[] caption = new int[n1];
        int[] seen = new int[n1];
        Arrays.fill(caption, -1);
        for (int j = 0; j < partner.length; j++) {
            int i = partner[j];
            if (rng.nextInt(++seen[i]) == 0) {
                caption[i] = j;
            }
        }
        List<long[]> imgs = new ArrayList<>();
        int[] order = PermutationTest.identity(n1);
        PermutationTest.shuffle(order, rng);
        int[] pairedImages = Arrays.stream(order).filter(i -> caption[i] >= 0).toArray();
        int b = Math.min(batch, pairedImages.length);
        if (b < 2) {
            throw new UserException("--shift needs at least 2 pairs, got " + pairedImages.length);
        }
        int batches = pairedImages.length / b;
        double[] imageWeights = new double[n1];
        int[] captions = new int[n1];
        for (int p : partner) {
            captions[p]++;
        }
        for (int i = 0; i < n1; i++) {
            imageWeights[i] = (double) captions[i] / n2;
        }
        List<GapReport.ShiftPoint> points = new ArrayList<>();
        for (double delta : deltas) {
            try (NDManager s = outer.newSubManager()) {
                Pairwise.tempAttach(s, z1, z2);
                NDArray dir = s.create(g).reshape(1, -1);
                NDArray x = normalise(z1.sub(dir.mul(delta / 2)));
                NDArray y = normalise(z2.add(dir.mul(delta / 2)));
                NDArray moved = x.mean(new int[] {0}).sub(y.mean(new int[] {0}));
                double gap = Pairwise.scalar(moved.norm());
                double along = Pairwise.scalar(moved.mul(dir.flatten()).sum());
                double[] loss = new double[taus.length];
                for (int bi = 0; bi < batches; bi++) {
                    long[] ri = new long[b];
                    long[] rc = new long[b];
                    for (int q = 0; q < b; q++) {
                        ri[q] = pairedImages[bi * b + q];
                        rc[q] = caption[pairedImages[bi * b + q]];
                    }
                    try (NDManager t = s.newSubManager()) {
                        Pairwise.tempAttach(t, x, y);
                        NDArray xb = x.get(new NDIndex("{}", t.create(ri)));
                        NDArray yb = y.get(new NDIndex("{}", t.create(rc)));
                        NDArray scores = xb.matMul(yb.transpose());
                        NDArray eye = t.eye(b).toType(scores.getDataType(), false);
                        for (int ti = 0; ti < taus.length; ti++) {
                            NDArray logits = scores.div(taus[ti]);
                            double rows = -Pairwise.scalar(logits.logSoftmax(1).mul(eye).sum()) / b;
                            double cols = -Pairwise.scalar(logits.logSoftmax(0).mul(eye).sum()) / b;
                            loss[ti] += 0.5 * (rows + cols) / batches;
                        }
                    }
                }
                NDArray xw = work == DataType.FLOAT64 ? x : x.toType(work, false);
                NDArray yw = work == DataType.FLOAT64 ? y : y.toType(work, false);
                FullSetRetrieval.Result ret = FullSetRetrieval.compute(xw, yw, partner, null, Double.NaN, imageWeights, pairwise);
                points.add(new GapReport.ShiftPoint(delta, gap, along, loss, ret.real().recall1to2()[0], ret.real().recall2to1()[0]));
            }
        }
        List<GapReport.ShiftMinimum> minima = new ArrayList<>();
        for (int ti = 0; ti < taus.length; ti++) {
            int best = 0;
            double worst = points.get(0).loss()[ti];
            for (int i = 1; i < points.size(); i++) {
                if (points.get(i).loss()[ti] < points.get(best).loss()[ti]) {
                    best = i;
                }
                worst = Math.max(worst, points.get(i).loss()[ti]);
            }
            double lowest = points.get(best).loss()[ti];
            boolean flat = worst - lowest <= 1e-9 * Math.max(1e-300, Math.abs(worst));
            double lo = points.get(Math.max(0, best - 1)).measuredGap();
            double hi = points.get(Math.min(points.size() - 1, best + 1)).measuredGap();
            minima.add(new GapReport.ShiftMinimum(taus[ti], points.get(best).delta(), points.get(best).measuredGap(), Math.min(lo, hi),
                    Math.max(lo, hi), best == 0 || best == points.size() - 1, flat));
        }
        String protocol = String.format(Locale.ROOT,
                "x' = normalise(x - (delta/2) g), y' = normalise(y + (delta/2) g), g = unit (mean z1 - mean z2); symmetric InfoNCE "
                        + "(both directions' own logits) over %d fixed batches of %d pairs (one caption per image), the same at every delta; "
                        + "R@1 by the whole-set protocol",
                batches, b);
        return new GapReport.ShiftResult(gap0, b, protocol, taus.clone(), points, minima);
    }

    private static NDArray normalise(NDArray a) {
        return a.div(a.norm(new int[] {1}, true).maximum(Double.MIN_NORMAL));
    }
}
