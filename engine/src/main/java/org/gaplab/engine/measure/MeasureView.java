package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;

import java.util.SplittableRandom;

/**
 * A seeded sample of two embedding sets for figures: up to {@code count} rows of each modality
 * (on the host) and four cosine distributions over {@code count} draws each: true pairs, random
 * cross-modal pairs, and random distinct pairs within each modality (the cone effect).
 *
 * @param rows1 sampled rows of modality 1 (unit rows when normalised)
 * @param rows2 sampled rows of modality 2
 * @param pairCosine cosine of true pairs
 * @param crossCosine cosine of random image-caption pairs
 * @param withinCosine1 cosine of random distinct pairs of modality 1
 * @param withinCosine2 cosine of random distinct pairs of modality 2
 */
public record MeasureView(double[][] rows1, double[][] rows2, double[] pairCosine, double[] crossCosine, double[] withinCosine1,
        double[] withinCosine2) {
    /**
     * @param z1 modality 1 {@code [n1, d]}
     * @param z2 modality 2 {@code [n2, d]}
     * @param partner modality-1 row of each modality-2 row, or null for by index
     * @param seed the seed
     * @param count draws per distribution and most rows per modality
     * @return the sample
     */
    public static MeasureView sample(NDArray z1, NDArray z2, int[] partner, long seed, int count) {
        int n1 = (int) z1.getShape().get(0);
        int n2 = (int) z2.getShape().get(0);
        int[] p = partner != null ? partner : PermutationTest.identity(n2);
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "measure.view", 0));
        long[] r1 = toLong(Subsampler.choose(n1, Math.min(count, n1), rng));
        long[] r2 = toLong(Subsampler.choose(n2, Math.min(count, n2), rng));
        long[] pc = new long[count];
        long[] pi = new long[count];
        long[] ci = new long[count];
        long[] a1 = new long[count];
        long[] b1 = new long[count];
        long[] a2 = new long[count];
        long[] b2 = new long[count];
        for (int i = 0; i < count; i++) {
            pc[i] = rng.nextInt(n2);
            pi[i] = p[(int) pc[i]];
            ci[i] = rng.nextInt(n1);
            a1[i] = rng.nextInt(n1);
            b1[i] = n1 > 1 ? (a1[i] + 1 + rng.nextInt(n1 - 1)) % n1 : a1[i];
            a2[i] = rng.nextInt(n2);
            b2[i] = n2 > 1 ? (a2[i] + 1 + rng.nextInt(n2 - 1)) % n2 : a2[i];
        }
        try (NDManager s = z1.getManager().newSubManager()) {
            Pairwise.tempAttach(s, z1, z2);
            NDArray u1 = unit(z1.toType(DataType.FLOAT64, false));
            NDArray u2 = unit(z2.toType(DataType.FLOAT64, false));
            return new MeasureView(host(u1.get(new NDIndex("{}", s.create(r1)))), host(u2.get(new NDIndex("{}", s.create(r2)))),
                    cos(u1, pi, u2, pc, s), cos(u1, ci, u2, pc, s), cos(u1, a1, u1, b1, s), cos(u2, a2, u2, b2, s));
        }
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.norm(new int[] {1}, true).maximum(Double.MIN_NORMAL));
    }

    private static double[] cos(NDArray a, long[] ra, NDArray b, long[] rb, NDManager s) {
        return a.get(new NDIndex("{}", s.create(ra))).mul(b.get(new NDIndex("{}", s.create(rb)))).sum(new int[] {1}).toDoubleArray();
    }

    private static double[][] host(NDArray x) {
        int n = (int) x.getShape().get(0);
        int d = (int) x.getShape().get(1);
        double[] flat = x.toDoubleArray();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    private static long[] toLong(int[] a) {
        return GapMeasurer.toLong(a);
    }
}
