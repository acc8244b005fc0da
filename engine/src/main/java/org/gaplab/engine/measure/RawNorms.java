package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.UserException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code --no-normalize} keeps honest: the pair cosine is a cosine whatever the rows' norms,
 * and samples whose norms differ widely are flagged, or refused, because the statistics that assume
 * unit vectors (energy distance and MMD on the sphere's scale, uniformity, the k-NN estimators'
 * radii) then read scale rather than direction.
 *
 * <p>Rules, on the L2 norms of the rows of both samples: a {@code note} (a warning) when the two
 * samples' median norms differ by more than {@value #WARN_RATIO}x or a sample's norms span more
 * than {@value #WARN_SPREAD}x; refused (exit 2) when the medians differ by more than
 * {@value #REFUSE_RATIO}x or a norm exceeds {@value #MAX_NORM} (its square overflows the float32
 * products used above 64 dimensions).
 */
public final class RawNorms {
    /** Median norms of the two samples further apart than this ratio get a warning. */
    public static final double WARN_RATIO = 10;
    /** A sample whose largest norm is this many times its smallest non-zero one gets a warning. */
    public static final double WARN_SPREAD = 100;
    /** Median norms further apart than this ratio are refused. */
    public static final double REFUSE_RATIO = 1e6;
    /** Largest row norm accepted: its square (1e30) stays far inside float32's range (3.4e38). */
    public static final double MAX_NORM = 1e15;

    private RawNorms() {}

    /**
     * Norm summary of one sample.
     *
     * @param min smallest norm
     * @param median median norm
     * @param max largest norm
     * @param minPositive smallest non-zero norm (0 when all are zero)
     */
    public record Norms(double min, double median, double max, double minPositive) {}

    /**
     * @param z an {@code [n, d]} sample
     * @return its row norms summarised (one host copy of n norms)
     */
    public static Norms of(NDArray z) {
        double[] norms;
        try (NDManager s = z.getManager().newSubManager()) {
            Pairwise.tempAttach(s, z);
            NDArray n = z.toType(DataType.FLOAT64, false).norm(new int[] {1});
            norms = n.toDoubleArray(); // one host copy of n values, for the median
        }
        Arrays.sort(norms);
        double minPositive = 0;
        for (double v : norms) {
            if (v > 0) {
                minPositive = v;
                break;
            }
        }
        int n = norms.length;
        double median = n % 2 == 1 ? norms[n / 2] : 0.5 * (norms[n / 2 - 1] + norms[n / 2]);
        return new Norms(norms[0], median, norms[n - 1], minPositive);
    }

    /**
     * Refuses samples whose norms make the statistics meaningless and notes those that bias them.
     *
     * @param a modality 1's norms
     * @param b modality 2's norms
     * @param notes where a warning goes
     * @throws UserException (exit 2) when refused
     */
    public static void check(Norms a, Norms b, List<String> notes) {
        double hi = Math.max(a.median(), b.median());
        double lo = Math.min(a.median(), b.median());
        double ratio = lo > 0 ? hi / lo : Double.POSITIVE_INFINITY;
        String summary = String.format(Locale.ROOT, "row norms: modality 1 %.3g..%.3g (median %.3g), modality 2 %.3g..%.3g (median %.3g)",
                a.min(), a.max(), a.median(), b.min(), b.max(), b.median());
        if (Math.max(a.max(), b.max()) > MAX_NORM || ratio > REFUSE_RATIO) {
            throw new UserException("--no-normalize: " + summary + "; " + (Math.max(a.max(), b.max()) > MAX_NORM
                    ? "a norm above " + MAX_NORM + " overflows the products of the pairwise statistics"
                    : "median norms " + String.format(Locale.ROOT, "%.3g", ratio) + "x apart (more than " + REFUSE_RATIO
                            + "x): every distance between the samples is then their scale alone")
                    + "; rescale the inputs, or drop --no-normalize to compare directions on the sphere");
        }
        double spread = Math.max(spread(a), spread(b));
        if (ratio > WARN_RATIO || spread > WARN_SPREAD) {
            notes.add("--no-normalize: " + summary + "; norms this far apart make energy, MMD^2, uniformity and the k-NN estimates"
                    + " read scale rather than direction (pair_cosine is still a cosine); drop --no-normalize to compare directions");
        }
    }

    private static double spread(Norms n) {
        return n.minPositive() > 0 ? n.max() / n.minPositive() : 1;
    }

    /**
     * Mean cosine of the true pairs, {@code mean_j <z1[p(j)], z2[j]> / (|z1[p(j)]| |z2[j]|)}, whatever
     * the norms (a pair with a zero row counts 0).
     *
     * @param z1 modality 1, {@code [n1, d]}
     * @param z2 modality 2, {@code [n2, d]}
     * @param partner the row of z1 of each row of z2
     * @return the mean cosine
     */
    public static double meanPairCosine(NDArray z1, NDArray z2, int[] partner) {
        try (NDManager s = z1.getManager().newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray u1 = unit(z1);
            NDArray u2 = unit(z2);
            NDArray idx = s.create(partner).toType(DataType.INT64, false);
            NDArray rows = u1.get(new NDIndex("{}", idx));
            return Pairwise.scalar(rows.mul(u2).sum(new int[] {1}).mean());
        }
    }

    /** Rows divided by their norms; zero rows stay zero. */
    private static NDArray unit(NDArray z) {
        NDArray x = z.toType(DataType.FLOAT64, false);
        NDArray norms = x.norm(new int[] {1}, true);
        NDArray safe = norms.maximum(Double.MIN_NORMAL);
        return x.div(safe);
    }
}
