package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.core.Seeds;
import org.gaplab.models.RandomStreams;

/**
 * The Gibbs law {@code rho*(z) = exp(-U(z)/tau) / Z_tau} on S^2 (uniform base measure of total
 * area 4 pi), by Monte Carlo over uniform points drawn on the device in chunks:
 *
 * <pre>
 *   P*(A) = sum_i w_i 1[z_i in A] / sum_i w_i,   w_i = exp(-(U(z_i) + 1)/tau) in (0, 1],
 *   log Z_tau = log(4 pi) + 1/tau + log mean_i w_i.
 * </pre>
 *
 * Every temperature shares the same points, in float64 so that tiny weights at small tau do not
 * underflow.
 */
public final class GibbsReference {
    private GibbsReference() {}

    /**
     * Monte Carlo results per temperature.
     *
     * @param taus the temperatures
     * @param capMass P*(cap) of each
     * @param logPartition log Z_tau of each
     * @param binMass P*(cell) of each equal-area cell of {@code bins}, {@code [tau][cell]}
     * @param points number of uniform points used
     */
    public record Estimate(double[] taus, double[] capMass, double[] capMassSe, double[] logPartition, double[][] binMass,
            long points) {}

    /**
     * @param manager device and scratch owner (nothing stays attached)
     * @param u the potential
     * @param taus temperatures
     * @param capRadius cap radius eps in radians
     * @param points uniform points in total
     * @param chunk points per chunk (bounds memory)
     * @param bins the cells whose masses are wanted too
     * @param seed the stream's seed
     * @return the estimate
     */
    public static Estimate estimate(NDManager manager, TwoWellPotential u, double[] taus, double capRadius, long points,
            int chunk, SphereBins bins, long seed) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray invTau = scope.create(taus).pow(-1).reshape(-1, 1);               // [T, 1]
            NDArray weightSum = scope.zeros(new Shape(taus.length), DataType.FLOAT64);
            NDArray capSum = scope.zeros(new Shape(taus.length), DataType.FLOAT64);
            NDArray weightSq = scope.zeros(new Shape(taus.length), DataType.FLOAT64);
            NDArray capSq = scope.zeros(new Shape(taus.length), DataType.FLOAT64);
            NDArray binSum = scope.zeros(new Shape(taus.length, bins.cells()), DataType.FLOAT64);
            long done = 0;
            for (long c = 0; done < points; c++) {
                int n = (int) Math.min(chunk, points - done);
                try (NDManager step = scope.newSubManager()) {
                    NDArray z = uniform(step, n, Seeds.derive(seed, "gibbs.mc", c));
                    NDArray w = u.value(z).add(1).reshape(1, -1).mul(invTau).neg().exp(); // [T, n]
                    weightSum.addi(w.sum(new int[] {1}));
                    NDArray inCap = u.inCaps(z, capRadius).reshape(1, -1);
                    capSum.addi(w.mul(inCap).sum(new int[] {1}));
                    NDArray w2 = w.square();
                    weightSq.addi(w2.sum(new int[] {1}));
                    capSq.addi(w2.mul(inCap).sum(new int[] {1}));
                    binSum.addi(w.matMul(bins.oneHot(z)));
                }
                done += n;
            }
            // host sync: once, at the end
            double[] ws = weightSum.toDoubleArray();
            double[] cs = capSum.toDoubleArray();
            double[] bs = binSum.toDoubleArray();
            double[] w2s = weightSq.toDoubleArray();
            double[] c2s = capSq.toDoubleArray();
            double[] se = new double[taus.length];
            double[][] binMass = new double[taus.length][bins.cells()];
            double[] mass = new double[taus.length];
            double[] logZ = new double[taus.length];
            for (int t = 0; t < taus.length; t++) {
                mass[t] = cs[t] / ws[t];
                // delta-method variance of the self-normalised estimate: sum w^2 (1_cap - mass)^2 / (sum w)^2
                se[t] = Math.sqrt(Math.max(0, c2s[t] * (1 - 2 * mass[t]) + mass[t] * mass[t] * w2s[t])) / ws[t];
                logZ[t] = Math.log(4 * Math.PI) + 1 / taus[t] + Math.log(ws[t] / points);
                for (int b = 0; b < bins.cells(); b++) {
                    binMass[t][b] = bs[t * bins.cells() + b] / ws[t];
                }
            }
            return new Estimate(taus.clone(), mass, se, logZ, binMass, points);
        }
    }

    /**
     * Exact samples of rho* by rejection from uniform proposals (accept with probability
     * {@code exp(-(U + 1)/tau)}), drawn in rounds until n are accepted.
     *
     * @param manager owner of the result
     * @param u the potential
     * @param tau temperature
     * @param n samples wanted
     * @param seed the stream's seed
     * @return {@code [n, 3]} float64 on the manager
     */
    public static NDArray sample(NDManager manager, TwoWellPotential u, double tau, int n, long seed) {
        NDArray out = null;
        for (long round = 0; out == null || out.getShape().get(0) < n; round++) {
            try (NDManager scope = manager.newSubManager()) {
                int m = Math.max(4096, 8 * n);
                // proposals and acceptance draws come from one stream, drawn together under its lock
                NDList draws = RandomStreams.draw(scope, Seeds.derive(seed, "gibbs.sample", round), () -> new NDList(
                        scope.randomNormal(new Shape(m, 3), DataType.FLOAT64), scope.randomUniform(0, 1, new Shape(m), DataType.FLOAT64)));
                NDArray z = draws.get(0).div(draws.get(0).norm(new int[] {1}, true));
                NDArray p = u.value(z).add(1).div(-tau).exp();
                NDArray accept = draws.get(1).lt(p);
                // the mask must have the data's shape; one host sync per round for the count
                NDArray kept = z.booleanMask(accept.expandDims(1).repeat(1, 3)).reshape(-1, 3);
                NDArray merged = out == null ? kept : out.concat(kept, 0);
                merged.attach(manager);
                if (out != null) {
                    out.close();
                }
                out = merged;
            }
        }
        NDArray first = out.get(":{}", n);
        first.attach(manager);
        out.close();
        return first;
    }

    /** n uniform points on S^2 (normalised Gaussians) from the given seed, float64. */
    static NDArray uniform(NDManager m, int n, long seed) {
        NDArray g = RandomStreams.draw(m, seed, () -> m.randomNormal(new Shape(n, 3), DataType.FLOAT64));
        return g.div(g.norm(new int[] {1}, true));
    }
}
