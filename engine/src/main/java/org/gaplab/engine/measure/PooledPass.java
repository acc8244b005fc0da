package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything the two-sample statistics need from one pooled sample, in one chunked pass over its
 * distance matrix: the pooled rows are X's distinct points (with multiplicities) followed by Y's
 * points; each chunk of rows forms its squared distances to all pooled rows once, and that block
 * feeds the k-NN searches (within X, X to Y, within Y, Y to X, at several k and on the first halves
 * of both samples) and every kernel's quadratic forms, for the observed labelling and for all the
 * permutation relabellings at once (as extra weight columns). Nothing O(n^2) outlives a chunk.
 *
 * <p>Positions and weights: X holds {@code m_x = sum(counts)} positions (an image drawn twice is
 * two positions at distance 0), Y holds {@code m_y} positions. A labelling is a column a of
 * X-positions per pooled row; with t the total positions per row, b = t - a. For a kernel K with
 * {@code K(z, z) = k0}, the U-statistic sums over ordered pairs of distinct positions are
 * <pre>
 *   S_xx = a^T K a - m_x k0,   S_yy = b^T K b - m_y k0,   S_xy = a^T K b,
 * </pre>
 * with {@code b^T K b = t^T K t - 2 t^T K a + a^T K a} and {@code a^T K b = t^T K a - a^T K a}; so
 * one product {@code K [A, t]} per chunk gives every labelling's three sums.
 */
final class PooledPass {
    /** Stand-in for an unavailable neighbour distance. */
    static final double NONE = Double.NaN;

    private PooledPass() {}

    /**
     * What to compute.
     *
     * @param nx distinct X rows (first in the pooled matrix)
     * @param xCounts positions of each X row
     * @param kernels the kernels; the first {@code testedKernels} also get the permutation columns
     * @param testedKernels how many kernels the permutation test uses
     * @param permutations relabellings (0 = none)
     * @param permutationSeed their seed
     * @param ks neighbour ranks for the full samples, ascending
     * @param kHalf neighbour rank on the first halves (0 = skip)
     * @param sphere geodesic distances (else Euclidean)
     */
    record Plan(int nx, int[] xCounts, List<DistanceKernel> kernels, int testedKernels, int permutations, long permutationSeed,
            int[] ks, int kHalf, boolean sphere) {}

    /**
     * @param withinX {@code [ks.length][nx]}: k-th neighbour distance of each X point among the other X points
     * @param crossX {@code [ks.length][nx]}: k-th nearest Y
     * @param withinY {@code [ks.length][ny]}
     * @param crossY {@code [ks.length][ny]}
     * @param halfWithinX at {@code kHalf}, first half of X among itself (null when skipped)
     * @param halfCrossX first half of X to the first half of Y
     * @param halfWithinY first half of Y among itself
     * @param halfCrossY first half of Y to the first half of X
     * @param sxx per kernel, per labelling (0 = observed): the within-X U-statistic mean
     * @param syy the within-Y mean
     * @param sxy the cross mean
     */
    record Result(double[][] withinX, double[][] crossX, double[][] withinY, double[][] crossY, double[] halfWithinX,
            double[] halfCrossX, double[] halfWithinY, double[] halfCrossY, double[][] sxx, double[][] syy, double[][] sxy) {}

    /**
     * One pass over two plain samples (every row of x once, then y), as the energy distance and the
     * permutation tests take them.
     *
     * @param x the first sample {@code [nx, d]}
     * @param y the second sample {@code [ny, d]}
     * @param kernels the kernels
     * @param permutations relabellings to carry (0 for none)
     * @param seed their seed
     * @param pairwise chunk budget
     * @return the sums (host arrays)
     */
    static Result runTwoSamples(NDArray x, NDArray y, List<DistanceKernel> kernels, int permutations, long seed, Pairwise pairwise) {
        int nx = (int) x.getShape().get(0);
        try (NDManager s = x.getManager().newSubManager()) {
            Pairwise.tempAttach(s, x, y);
            NDArray pooled = NDArrays.concat(new NDList(x, y));
            int[] counts = new int[nx];
            java.util.Arrays.fill(counts, 1);
            return run(pooled, new Plan(nx, counts, kernels, kernels.size(), permutations, seed, new int[] {1}, 0, false), pairwise);
        }
    }

    /**
     * @param pooled {@code [nx + ny, d]}, X's distinct rows then Y's, in the work dtype
     * @param plan what to compute
     * @param pairwise chunk budget
     * @return neighbour distances and U-statistic means
     */
    static Result run(NDArray pooled, Plan plan, Pairwise pairwise) {
        int np = (int) pooled.getShape().get(0);
        int nx = plan.nx();
        int ny = np - nx;
        int mx = 0;
        for (int c : plan.xCounts()) {
            mx += c;
        }
        int my = ny;
        int cols = 1 + plan.permutations(); // observed + relabellings
        double[] t = new double[np];
        for (int i = 0; i < np; i++) {
            t[i] = i < nx ? plan.xCounts()[i] : 1;
        }
        double[] a = labellings(t, nx, mx, my, plan.permutations(), plan.permutationSeed());
        int kmax = plan.ks()[plan.ks().length - 1];
        int hx = nx / 2;
        int hy = ny / 2;
        boolean half = plan.kHalf() > 0 && hx > plan.kHalf() && hy > plan.kHalf();
        int kernelsN = plan.kernels().size();
        // one chunk holds ~ (4 + kernels) [c, np] temporaries
        int chunk = pairwise.chunkRows(np, 4 + kernelsN);
        DataType work = pooled.getDataType();
        try (NDManager outer = pooled.getManager().newSubManager()) {
            NDArray norm2 = pooled.square().sum(new int[] {1});
            norm2.attach(outer);
            NDArray aw = outer.create(a, new Shape(np, cols)).toType(work, false);
            NDArray tw = outer.create(t, new Shape(np, 1)).toType(work, false);
            NDArray full = aw.concat(tw, 1); // [np, cols + 1]
            NDArray first = full.get(new NDIndex(":, 0:1")).concat(tw, 1); // observed + t only
            NDArray a64 = outer.create(a, new Shape(np, cols));
            NDArray t64 = outer.create(t, new Shape(np, 1));
            NDArray fullA64 = a64.concat(t64, 1);
            NDArray firstA64 = a64.get(new NDIndex(":, 0:1")).concat(t64, 1);
            List<NDArray> aKw = new ArrayList<>(); // per kernel: sum over rows of W * (K W), [cols + 1]
            List<NDArray> tKw = new ArrayList<>();
            for (int k = 0; k < kernelsN; k++) {
                long width = k < plan.testedKernels() ? cols + 1 : 2;
                aKw.add(outer.zeros(new Shape(width), DataType.FLOAT64));
                tKw.add(outer.zeros(new Shape(width), DataType.FLOAT64));
            }
            NDList wx = new NDList();
            NDList cx = new NDList();
            NDList wy = new NDList();
            NDList cy = new NDList();
            NDList hwx = new NDList();
            NDList hcx = new NDList();
            NDList hwy = new NDList();
            NDList hcy = new NDList();
            // chunks never straddle X and Y
            List<int[]> ranges = new ArrayList<>();
            for (int s = 0; s < nx; s += chunk) {
                ranges.add(new int[] {s, Math.min(nx, s + chunk)});
            }
            for (int s = nx; s < np; s += chunk) {
                ranges.add(new int[] {s, Math.min(np, s + chunk)});
            }
            for (int[] range : ranges) {
                int s = range[0];
                int e = range[1];
                boolean inX = s < nx;
                try (NDManager scope = outer.newSubManager()) {
                    Pairwise.tempAttach(scope, pooled, norm2, full, first, fullA64, firstA64, tw, t64);
                    NDIndex rows = new NDIndex("{}:{}", s, e);
                    NDArray q = pooled.get(rows);
                    NDArray d2 = norm2.get(rows).reshape(-1, 1).add(norm2.reshape(1, -1)).sub(q.matMul(pooled.transpose()).mul(2))
                            .maximum(0);
                    // k-NN: smallest squared distances, sorted; within a sample the point itself comes first
                    NDArray own = inX ? d2.get(new NDIndex(":, 0:{}", nx)) : d2.get(new NDIndex(":, {}:", nx));
                    NDArray other = inX ? d2.get(new NDIndex(":, {}:", nx)) : d2.get(new NDIndex(":, 0:{}", nx));
                    NDArray within = own.topK(kmax + 1, 1, false, true).get(0);
                    NDArray cross = other.topK(kmax, 1, false, true).get(0);
                    keep(inX ? wx : wy, within, outer);
                    keep(inX ? cx : cy, cross, outer);
                    if (half) {
                        int hs = inX ? s : s - nx;
                        int he = Math.min(inX ? e : e - nx, inX ? hx : hy);
                        if (hs < he) {
                            NDIndex hr = new NDIndex("{}:{}", hs - (inX ? s : s - nx), he - (inX ? s : s - nx));
                            int ownStart = inX ? 0 : nx;
                            int otherStart = inX ? nx : 0;
                            int ownLen = inX ? hx : hy;
                            int otherLen = inX ? hy : hx;
                            NDArray block = d2.get(hr);
                            NDArray hw = block.get(new NDIndex(":, {}:{}", ownStart, ownStart + ownLen)).topK(plan.kHalf() + 1, 1, false, true)
                                    .get(0).get(new NDIndex(":, {}", plan.kHalf()));
                            NDArray hc = block.get(new NDIndex(":, {}:{}", otherStart, otherStart + otherLen)).topK(plan.kHalf(), 1, false, true)
                                    .get(0).get(new NDIndex(":, {}", plan.kHalf() - 1));
                            keep(inX ? hwx : hwy, hw, outer);
                            keep(inX ? hcx : hcy, hc, outer);
                        }
                    }
                    for (int k = 0; k < kernelsN; k++) {
                        boolean tested = k < plan.testedKernels();
                        NDArray w = tested ? full : first;
                        NDArray kw = plan.kernels().get(k).apply(d2).matMul(w).toType(DataType.FLOAT64, false); // [c, width]
                        NDArray wRows = (tested ? fullA64 : firstA64).get(rows);
                        aKw.get(k).addi(wRows.mul(kw).sum(new int[] {0}));
                        tKw.get(k).addi(t64.get(rows).mul(kw).sum(new int[] {0}));
                    }
                }
            }
            // host copies, once per pass
            double[][] within1 = columns(wx, plan.ks(), 0, nx);
            double[][] cross1 = columns(cx, plan.ks(), -1, nx);
            double[][] within2 = columns(wy, plan.ks(), 0, ny);
            double[][] cross2 = columns(cy, plan.ks(), -1, ny);
            double[] hw1 = half ? distances(hwx, plan.sphere()) : null;
            double[] hc1 = half ? distances(hcx, plan.sphere()) : null;
            double[] hw2 = half ? distances(hwy, plan.sphere()) : null;
            double[] hc2 = half ? distances(hcy, plan.sphere()) : null;
            toDistances(within1, plan.sphere());
            toDistances(cross1, plan.sphere());
            toDistances(within2, plan.sphere());
            toDistances(cross2, plan.sphere());
            double[][] sxx = new double[kernelsN][];
            double[][] syy = new double[kernelsN][];
            double[][] sxy = new double[kernelsN][];
            for (int k = 0; k < kernelsN; k++) {
                double[] ak = aKw.get(k).toDoubleArray();
                double[] tk = tKw.get(k).toDoubleArray();
                int width = ak.length - 1;
                double tkt = ak[width]; // the t column: t^T K t
                double k0 = plan.kernels().get(k).atZero();
                sxx[k] = new double[width];
                syy[k] = new double[width];
                sxy[k] = new double[width];
                for (int c = 0; c < width; c++) {
                    double aka = ak[c];
                    double tka = tk[c];
                    double bkb = tkt - 2 * tka + aka;
                    sxx[k][c] = (aka - mx * k0) / ((double) mx * (mx - 1));
                    syy[k][c] = (bkb - my * k0) / ((double) my * (my - 1));
                    sxy[k][c] = (tka - aka) / ((double) mx * my);
                }
            }
            return new Result(within1, cross1, within2, cross2, hw1, hc1, hw2, hc2, sxx, syy, sxy);
        }
    }

    /**
     * The weight columns: column 0 the observed labelling (X's counts on X rows), then relabellings
     * of the {@code m_x + m_y} positions drawn uniformly at random.
     */
    static double[] labellings(double[] t, int nx, int mx, int my, int permutations, long seed) {
        int np = t.length;
        int cols = 1 + permutations;
        double[] a = new double[np * cols];
        for (int i = 0; i < nx; i++) {
            a[i * cols] = t[i];
        }
        if (permutations == 0) {
            return a;
        }
        int[] rowOf = new int[mx + my];
        int p = 0;
        for (int i = 0; i < np; i++) {
            for (int c = 0; c < (int) t[i]; c++) {
                rowOf[p++] = i;
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int c = 1; c < cols; c++) {
            PermutationTest.shuffle(rowOf, rng);
            for (int q = 0; q < mx; q++) {
                a[rowOf[q] * cols + c] += 1;
            }
        }
        return a;
    }

    private static void keep(NDList list, NDArray a, NDManager outer) {
        NDArray c = a.toType(DataType.FLOAT64, false);
        c.attach(outer);
        list.add(c);
    }

    /** Picks, for each k, column k (within: the point itself is column 0) or k - 1 (cross). */
    private static double[][] columns(NDList parts, int[] ks, int shift, int n) {
        double[][] out = new double[ks.length][];
        if (parts.isEmpty()) {
            for (int i = 0; i < ks.length; i++) {
                out[i] = new double[0];
            }
            return out;
        }
        NDArray all = NDArrays.concat(parts);
        int width = (int) all.getShape().get(1);
        double[] flat = all.toDoubleArray(); // one host copy of n x (kmax + 1) values
        for (int i = 0; i < ks.length; i++) {
            int col = ks[i] + shift;
            out[i] = new double[n];
            for (int r = 0; r < n; r++) {
                out[i][r] = flat[r * width + col];
            }
        }
        return out;
    }

    private static double[] distances(NDList parts, boolean sphere) {
        double[] d2 = NDArrays.concat(parts).toDoubleArray();
        double[][] wrap = {d2};
        toDistances(wrap, sphere);
        return wrap[0];
    }

    /** Squared chordal (Euclidean) distance to geodesic {@code 2 asin(r / 2)} on the sphere, or to r. */
    private static void toDistances(double[][] d2, boolean sphere) {
        for (double[] row : d2) {
            for (int i = 0; i < row.length; i++) {
                double r = Math.sqrt(Math.max(0, row[i]));
                row[i] = sphere ? 2 * Math.asin(Math.min(1, r / 2)) : r;
            }
        }
    }
}
