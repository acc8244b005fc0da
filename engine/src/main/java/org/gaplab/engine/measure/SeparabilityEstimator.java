package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Seeds;
import org.gaplab.core.UserException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Linear separability of the two modalities (Fahim, Murphy and Fyshe 2024): the held-out accuracy
 * of a logistic-regression classifier that tells an embedding's modality. Balanced by pair: each
 * image with at least one caption contributes itself and one of its captions (drawn with the
 * measurement's seed), so the classes are equal and chance is 1/2. Split by pair: both members of
 * a pair fall on the same side of every split (one 80/20 split by default, or K folds, each pair
 * tested once). The classifier is trained on the device through DJL (in the work dtype of the
 * pairwise products: float32 above 64 coordinates) on coordinates standardised
 * with the training side's mean and sd: L2-regularised mean log-loss, lambda = 1e-3, 200 steps of
 * Nesterov's accelerated gradient with step 1/L (L from a power iteration on the Gram matrix).
 * Reported: accuracy over all held-out rows, its Wilson 95% interval, and the one-sided exact
 * binomial p-value of "no better than chance".
 */
final class SeparabilityEstimator implements Estimator {
    /** L2 penalty on the mean log-loss. */
    static final double LAMBDA = 1e-3;
    /** Gradient steps. */
    static final int STEPS = 200;
    /** Held-out share of the one-split default. */
    static final double TEST_SHARE = 0.2;
    /** Fewest pairs on each side of a split. */
    static final int MIN_PAIRS = 5;

    @Override
    public String name() {
        return "linear separability";
    }

    @Override
    public String description() {
        return "held-out accuracy of a logistic regression that predicts an embedding's modality, split by pair (Fahim et al. 2024)";
    }

    @Override
    public Set<Need> needs() {
        return Set.of(Need.WHOLE_SET);
    }

    @Override
    public List<Statistic> statistics() {
        String sample = "held-out pairs";
        return List.of(
                new Statistic("separability_accuracy", "separability", sample, "fraction correct; chance 0.5",
                        "held-out accuracy of a logistic regression predicting the modality (balanced, split by pair)"),
                new Statistic("separability_ci_low", "separability", sample, "fraction", "Wilson 95% interval of the accuracy, low end"),
                new Statistic("separability_ci_high", "separability", sample, "fraction", "Wilson 95% interval of the accuracy, high end"),
                new Statistic("separability_chance", "separability", sample, "fraction", "chance accuracy of the balanced classes"),
                new Statistic("separability_p_vs_chance", "separability", sample, "p-value",
                        "one-sided exact binomial test of accuracy > chance (floored at 1e-300)"));
    }

    @Override
    public boolean applies(WholeSetContext c) {
        return c.options().separabilityFolds() > 0;
    }

    @Override
    public void wholeSet(WholeSetContext c, Map<String, Double> out) {
        int folds = c.options().separabilityFolds();
        int[] partner = c.partner();
        int n1 = c.n1();
        SplittableRandom rng = new SplittableRandom(Seeds.derive(c.options().seed(), "measure.separability", 0));
        // one caption per image: reservoir choice over the captions of each image
        int[] caption = new int[n1];
        int[] seen = new int[n1];
        java.util.Arrays.fill(caption, -1);
        for (int j = 0; j < partner.length; j++) {
            int i = partner[j];
            seen[i]++;
            if (rng.nextInt(seen[i]) == 0) {
                caption[i] = j;
            }
        }
        int pairs = 0;
        for (int i = 0; i < n1; i++) {
            if (caption[i] >= 0) {
                pairs++;
            }
        }
        int[] img = new int[pairs];
        int[] cap = new int[pairs];
        for (int i = 0, p = 0; i < n1; i++) {
            if (caption[i] >= 0) {
                img[p] = i;
                cap[p++] = caption[i];
            }
        }
        int[] order = PermutationTest.identity(pairs);
        PermutationTest.shuffle(order, rng);
        int k = Math.max(folds, 1);
        int smallestTest = folds == 1 ? (int) Math.floor(pairs * TEST_SHARE) : pairs / k;
        if (smallestTest < MIN_PAIRS || pairs - smallestTest - (folds == 1 ? 0 : 1) < MIN_PAIRS) {
            String why = "linear separability needs at least " + MIN_PAIRS + " pairs on each side of every split; "
                    + pairs + " pairs give " + smallestTest + " held out" + (folds > 1 ? " per fold with " + folds + " folds" : "");
            if (folds > 1) {
                throw new UserException(why + " (give fewer --separability-folds or more rows)");
            }
            c.note(why + ": skipped");
            return;
        }
        long correct = 0;
        long tested = 0;
        for (int f = 0; f < k; f++) {
            int[] fold = new int[pairs];
            for (int i = 0; i < pairs; i++) {
                int pos = i;
                fold[order[i]] = folds == 1 ? (pos < smallestTest ? 1 : 0) : (pos % k == f ? 1 : 0);
            }
            long[] r = trainAndTest(c, img, cap, fold);
            correct += r[0];
            tested += r[1];
        }
        double acc = (double) correct / tested;
        double[] ci = wilson(correct, tested, 1.959963984540054);
        out.put("separability_accuracy", acc);
        out.put("separability_ci_low", ci[0]);
        out.put("separability_ci_high", ci[1]);
        out.put("separability_chance", 0.5);
        out.put("separability_p_vs_chance", binomialUpperTail(correct, tested));
    }

    /** @return {correct, tested} on the rows of pairs with {@code fold == 1}, trained on the others */
    private static long[] trainAndTest(WholeSetContext c, int[] img, int[] cap, int[] fold) {
        int train = 0;
        for (int v : fold) {
            train += v == 0 ? 1 : 0;
        }
        long[] trI = new long[train];
        long[] trC = new long[train];
        long[] teI = new long[img.length - train];
        long[] teC = new long[img.length - train];
        for (int p = 0, a = 0, b = 0; p < img.length; p++) {
            if (fold[p] == 0) {
                trI[a] = img[p];
                trC[a++] = cap[p];
            } else {
                teI[b] = img[p];
                teC[b++] = cap[p];
            }
        }
        try (NDManager s = c.scope().newSubManager()) {
            NDArray z1 = c.z1Work();
            NDArray z2 = c.z2Work();
            Pairwise.tempAttach(s, z1, z2);
            NDArray xTrain = NDArrays.concat(new NDList(z1.get(new NDIndex("{}", s.create(trI))), z2.get(new NDIndex("{}", s.create(trC)))));
            NDArray xTest = NDArrays.concat(new NDList(z1.get(new NDIndex("{}", s.create(teI))), z2.get(new NDIndex("{}", s.create(teC)))));
            int nTrain = 2 * train;
            float[] labels = new float[nTrain];
            for (int i = 0; i < train; i++) {
                labels[i] = 1;
            }
            NDArray y = s.create(labels).toType(xTrain.getDataType(), false).reshape(-1, 1);
            NDArray mean = xTrain.mean(new int[] {0}, true);
            NDArray sd = xTrain.sub(mean).square().mean(new int[] {0}, true).sqrt().maximum(1e-12);
            NDArray x = xTrain.sub(mean).div(sd);
            NDArray xt = x.transpose();
            NDArray[] wb = LogisticRegression.fit(x, xt, y, LAMBDA, STEPS);
            NDArray z = xTest.sub(mean).div(sd).matMul(wb[0]).add(wb[1]).flatten();
            int nt = teI.length;
            NDArray predImage = z.gt(0);
            long hitsImage = predImage.get("0:" + nt).sum().toType(DataType.INT64, false).getLong();
            long hitsCaption = nt - predImage.get(nt + ":").sum().toType(DataType.INT64, false).getLong();
            return new long[] {hitsImage + hitsCaption, 2L * nt};
        }
    }

    /** @return the Wilson score interval of a binomial proportion at normal quantile z */
    static double[] wilson(long successes, long n, double z) {
        double p = (double) successes / n;
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /** Smallest p-value reported: below it a double would underflow to a misleading 0. */
    static final double P_FLOOR = 1e-300;

    /** @return {@code P(X >= k)} for X ~ Binomial(n, 1/2), exact: {@code I_{1/2}(k, n - k + 1)}, at least {@link #P_FLOOR} */
    static double binomialUpperTail(long k, long n) {
        if (k <= 0) {
            return 1;
        }
        return Math.max(P_FLOOR, Math.exp(SpecialFunctions.logRegularizedBeta(0.5, k, n - k + 1)));
    }
}
