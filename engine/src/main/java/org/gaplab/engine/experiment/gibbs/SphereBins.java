package org.gaplab.engine.experiment.gibbs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Checks;

/**
 * An equal-area partition of S^2 for a binned KL estimate: in the frame (e1, e2, c) of the
 * figures ({@link SphereFigure#frame}), {@code bands} slices of equal height in {@code s = <z, c>}
 * (equal area by Archimedes' theorem) times {@code sectors} equal sectors in
 * {@code phi = atan2(<z, e2>, <z, e1>)}; every cell has area {@code 4 pi / (bands sectors)}.
 *
 * <p>The binned divergence {@code KL(p_bins || q_bins) = sum_b p_b log(p_b / q_b)} never exceeds
 * the true KL (data processing), and, unlike a kernel estimate built on the particles, it does not
 * reward particles for being evenly spaced, which the training objective (a kernel entropy)
 * favours. With M samples its plug-in bias is about {@code (occupied cells - 1) / (2M)}.
 *
 * @param bands slices in s, >= 1
 * @param sectors sectors in phi, >= 1
 * @param frame rows e1, e2, c (orthonormal)
 */
public record SphereBins(int bands, int sectors, double[][] frame) {
    /** Validates. */
    public SphereBins {
        Checks.positive(bands, "bands");
        Checks.positive(sectors, "sectors");
        Checks.check(frame != null && frame.length == 3, "frame", "must have three rows");
    }

    /** @return 6 x 12 = 72 cells in the frame centred between the potential's wells */
    public static SphereBins forPotential(TwoWellPotential u) {
        return new SphereBins(6, 12, SphereFigure.frame(u));
    }

    /** @return the number of cells */
    public int cells() {
        return bands * sectors;
    }

    /**
     * @param z unit vectors {@code [..., 3]}
     * @return the one-hot cell of each, {@code [..., cells]} in z's data type
     */
    public NDArray oneHot(NDArray z) {
        NDArray s = TwoWellPotential.similarity(z, frame[2]);
        NDArray phi = TwoWellPotential.similarity(z, frame[1]).atan2(TwoWellPotential.similarity(z, frame[0]));
        NDArray band = s.add(1).mul(bands / 2.0).floor().clip(0, bands - 1);
        NDArray sector = phi.add(Math.PI).mul(sectors / (2 * Math.PI)).floor().clip(0, sectors - 1);
        NDArray index = band.mul(sectors).add(sector).toType(DataType.INT64, false);
        return index.oneHot(cells()).toType(z.getDataType(), false);
    }

    /**
     * {@code sum_b p_b log(p_b / q_b)}, with {@code 0 log 0 = 0}.
     *
     * @param p cell probabilities of the sample
     * @param q cell probabilities of the reference (all > 0 where p > 0)
     * @return the divergence in nats
     */
    public static double kl(double[] p, double[] q) {
        double d = 0;
        for (int b = 0; b < p.length; b++) {
            if (p[b] > 0) {
                d += p[b] * Math.log(p[b] / q[b]);
            }
        }
        return d;
    }
}
