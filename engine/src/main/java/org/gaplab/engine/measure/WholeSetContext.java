package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * What an {@link Estimator} sees of the whole set: the prepared rows (float64, L2-normalised unless
 * the options say not), the same rows in the work dtype of the pairwise products, the pairing, the
 * options, and shared, lazily computed second moments and the pooled spectrum, so estimators that
 * need the same d x d work share it.
 */
public final class WholeSetContext {
    /** Largest d for which the d x d moments and spectra are formed (O(d^3) host work). */
    static final int MAX_MOMENT_DIM = 2048;

    private final NDArray z1;
    private final NDArray z2;
    private final NDArray z1w;
    private final NDArray z2w;
    private final int[] partner;
    private final int[] captions;
    private final MeasureOptions options;
    private final NDManager scope;
    private final Pairwise pairwise;
    private final List<String> notes;
    private SecondMoments moments1;
    private SecondMoments moments2;
    private SecondMoments unit1;
    private SecondMoments unit2;
    private SymmetricSpectrum pooled;
    private double medianCrossDistance = Double.NaN;
    private double[] pairMeans;
    private double[] workMean1;
    private double[] workMean2;

    WholeSetContext(NDArray z1, NDArray z2, NDArray z1w, NDArray z2w, int[] partner, int[] captions, MeasureOptions options,
            NDManager scope, Pairwise pairwise, List<String> notes) {
        this.z1 = z1;
        this.z2 = z2;
        this.z1w = z1w;
        this.z2w = z2w;
        this.partner = partner;
        this.captions = captions;
        this.options = options;
        this.scope = scope;
        this.pairwise = pairwise;
        this.notes = notes;
    }

    /** @return modality 1, float64, {@code [n1, d]} */
    public NDArray z1() {
        return z1;
    }

    /** @return modality 2, float64, {@code [n2, d]} */
    public NDArray z2() {
        return z2;
    }

    /** @return modality 1 in the work dtype of pairwise products */
    public NDArray z1Work() {
        return z1w;
    }

    /** @return modality 2 in the work dtype */
    public NDArray z2Work() {
        return z2w;
    }

    /** @return for each modality-2 row its modality-1 partner (identity when one-to-one) */
    public int[] partner() {
        return partner.clone();
    }

    /** @return captions (modality-2 rows) per modality-1 row */
    public int[] captions() {
        return captions.clone();
    }

    /** @return rows of modality 1 */
    public int n1() {
        return (int) z1.getShape().get(0);
    }

    /** @return rows of modality 2 */
    public int n2() {
        return (int) z2.getShape().get(0);
    }

    /** @return coordinates */
    public int dim() {
        return (int) z1.getShape().get(1);
    }

    /** @return the options */
    public MeasureOptions options() {
        return options;
    }

    /** @return the scope whole-set work may allocate in */
    public NDManager scope() {
        return scope;
    }

    /** @return the chunk budget of pairwise work */
    public Pairwise pairwise() {
        return pairwise;
    }

    /** @param note one line for the report's notes */
    public void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    /** @return whether the d x d moments are formed at this d */
    public boolean momentsAvailable() {
        return dim() <= MAX_MOMENT_DIM;
    }

    /** @return moments of modality 1's rows as measured (each image once) */
    SecondMoments moments1() {
        if (moments1 == null) {
            moments1 = SecondMoments.of(z1w);
        }
        return moments1;
    }

    /** @return moments of modality 2's rows as measured */
    SecondMoments moments2() {
        if (moments2 == null) {
            moments2 = SecondMoments.of(z2w);
        }
        return moments2;
    }

    /** @return moments of modality 1's rows scaled to unit length (the rows as measured on the sphere) */
    SecondMoments unitMoments1() {
        if (unit1 == null) {
            unit1 = options.normalize() ? moments1() : unitMoments(z1w);
        }
        return unit1;
    }

    /** @return moments of modality 2's unit rows */
    SecondMoments unitMoments2() {
        if (unit2 == null) {
            unit2 = options.normalize() ? moments2() : unitMoments(z2w);
        }
        return unit2;
    }

    private SecondMoments unitMoments(NDArray x) {
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, x);
            NDArray norms = x.norm(new int[] {1}, true).maximum(Double.MIN_NORMAL);
            return SecondMoments.of(x.div(norms));
        }
    }

    /**
     * The spectrum of the pooled covariance, the equal-weight mixture of the two modalities:
     * {@code C = (C1 + C2)/2 + (mu1 - mu2)(mu1 - mu2)^T / 4}, each image once, with the coordinates
     * of the gap vector {@code mu1 - mu2} in its eigenbasis.
     *
     * @return eigenvalues (descending) and the gap vector's coordinates
     */
    SymmetricSpectrum pooledSpectrum() {
        if (pooled == null) {
            double[][] c1 = moments1().covariance();
            double[][] c2 = moments2().covariance();
            double[] gap = gapVector();
            int d = gap.length;
            double[][] c = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] = 0.5 * (c1[i][j] + c2[i][j]) + 0.25 * gap[i] * gap[j];
                }
            }
            pooled = SymmetricSpectrum.of(c, gap);
        }
        return pooled;
    }

    /** @return {@code mean(z1) - mean(z2)}, each image once */
    double[] gapVector() {
        double[] a = moments1().mean();
        double[] b = moments2().mean();
        for (int i = 0; i < a.length; i++) {
            a[i] -= b[i];
        }
        return a;
    }

    /** @return {mean ||x - y||, mean cosine} over all pairs, computed once ({@link PairedDistanceEstimator#pairMeans}) */
    double[] pairMeans() {
        if (pairMeans == null) {
            pairMeans = PairedDistanceEstimator.pairMeans(this);
        }
        return pairMeans.clone();
    }

    /** @param median the median cross distance of the bandwidth heuristic */
    void medianCrossDistance(double median) {
        this.medianCrossDistance = median;
    }

    /** @return the median cross distance (the MMD bandwidth at 1x) */
    double medianCrossDistance() {
        return medianCrossDistance;
    }

    /** @return modality 1's mean row (each image once), float64, from the whole set */
    double[] mean1() {
        if (workMean1 == null) {
            workMean1 = meanOf(z1);
        }
        return workMean1;
    }

    /** @return modality 2's mean row, float64 */
    double[] mean2() {
        if (workMean2 == null) {
            workMean2 = meanOf(z2);
        }
        return workMean2;
    }

    private double[] meanOf(NDArray z) {
        try (NDManager s = scope.newSubManager()) {
            Pairwise.tempAttach(s, z);
            return z.mean(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** @return the work dtype */
    DataType workType() {
        return z1w.getDataType();
    }
}
