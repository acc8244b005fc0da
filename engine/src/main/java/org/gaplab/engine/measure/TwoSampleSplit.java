package org.gaplab.engine.measure;

import org.gaplab.core.Seeds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws the two <em>independent</em> samples of the two-sample statistics (energy distance, MMD^2,
 * the k-NN divergences and entropies, the permutation tests): each repeat splits the images (the
 * rows of modality 1; with one-to-one pairs, the pairs) at random into two disjoint halves A and B,
 * takes the sample of modality 1 from half A and the sample of modality 2 from the captions of
 * half B. No pair, and no image with any of its captions, has members on both sides, so a row's
 * partner can never be among the other sample's neighbours (docs/theory.md section 6).
 *
 * <p>Modality 1's sample follows the {@link Marginal}: {@code WEIGHTED} takes m captions of half A
 * without replacement and uses their images (an image may repeat: the two-sample statistics carry
 * it as a count), {@code UNIQUE} takes m distinct images of half A. The k-NN estimators see each
 * image once (a repeat is a zero neighbour distance): under {@code WEIGHTED} the distinct images
 * of that caption draw, in order of first appearance (successive sampling proportional to the
 * captions per image, without repeating an image). Modality 2's sample is m captions of half B.
 * The centroid's sample is min(m, |A|) distinct images of half A.
 *
 * <p>m is the same for every repeat: the requested m, lowered to the smallest capacity of the R
 * splits when the data are short ({@link #size(int)}). Everything is drawn on the host from the
 * "measure.split" seed stream.
 */
final class TwoSampleSplit {
    private final int n1;
    private final int[] partner;
    private final Marginal marginal;
    private final int[][] captionsOf;
    private final int[][] halves; // per repeat: the shuffled images; the first half is A
    private final long seed;

    /**
     * One repeat's two samples.
     *
     * @param xRows distinct rows of modality 1 in the sample, in random order (the k-NN sample)
     * @param xCounts how often each of {@code xRows} is drawn (all 1 unless WEIGHTED repeats an image)
     * @param yRows rows of modality 2 (captions), in random order
     * @param centroidRows distinct images of half A for the centroid
     */
    record Draw(int[] xRows, int[] xCounts, int[] yRows, int[] centroidRows) {
        /** @return total positions of the modality-1 sample, the sum of the counts */
        int xSize() {
            return Arrays.stream(xCounts).sum();
        }
    }

    /**
     * @param n1 rows of modality 1
     * @param n2 rows of modality 2
     * @param partner the modality-1 row of each modality-2 row, or null for one-to-one by index
     * @param marginal law of modality 1's sample
     * @param repeats R
     * @param seed root seed
     */
    TwoSampleSplit(int n1, int n2, int[] partner, Marginal marginal, int repeats, long seed) {
        this.n1 = n1;
        this.partner = partner != null ? partner : PermutationTest.identity(n2);
        this.marginal = marginal;
        this.seed = seed;
        int[] count = new int[n1];
        for (int p : this.partner) {
            count[p]++;
        }
        captionsOf = new int[n1][];
        for (int i = 0; i < n1; i++) {
            captionsOf[i] = new int[count[i]];
        }
        int[] fill = new int[n1];
        for (int j = 0; j < this.partner.length; j++) {
            int i = this.partner[j];
            captionsOf[i][fill[i]++] = j;
        }
        halves = new int[repeats][];
        for (int r = 0; r < repeats; r++) {
            int[] order = PermutationTest.identity(n1);
            PermutationTest.shuffle(order, new SplittableRandom(Seeds.derive(seed, "measure.split", r)));
            halves[r] = order;
        }
    }

    /** @return images in half A (the first half of the shuffled images) */
    private int halfA() {
        return n1 / 2;
    }

    /** @return the most positions per side that repeat r allows */
    int capacity(int r) {
        int capsA = 0;
        int capsB = 0;
        for (int p = 0; p < n1; p++) {
            int len = captionsOf[halves[r][p]].length;
            if (p < halfA()) {
                capsA += len;
            } else {
                capsB += len;
            }
        }
        int xCap = marginal == Marginal.WEIGHTED ? capsA : halfA();
        return Math.min(xCap, capsB);
    }

    /**
     * @param requested the m asked for
     * @return the m every repeat can honour: min(requested, smallest capacity)
     */
    int size(int requested) {
        int m = requested;
        for (int r = 0; r < halves.length; r++) {
            m = Math.min(m, capacity(r));
        }
        return m;
    }

    /**
     * @param r repeat index
     * @param m positions per side, at most {@link #size(int)}
     * @return the two samples
     */
    Draw draw(int r, int m) {
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "measure.split.draw", r));
        int[] order = halves[r];
        int a = halfA();
        List<Integer> capsA = new ArrayList<>();
        List<Integer> capsB = new ArrayList<>();
        for (int p = 0; p < n1; p++) {
            for (int j : captionsOf[order[p]]) {
                (p < a ? capsA : capsB).add(j);
            }
        }
        int[] yRows = pick(capsB, m, rng);
        int[] xRows;
        int[] xCounts;
        if (marginal == Marginal.WEIGHTED) {
            int[] caps = pick(capsA, m, rng);
            Map<Integer, Integer> counts = new LinkedHashMap<>();
            for (int j : caps) {
                counts.merge(partner[j], 1, Integer::sum);
            }
            xRows = counts.keySet().stream().mapToInt(Integer::intValue).toArray();
            xCounts = counts.values().stream().mapToInt(Integer::intValue).toArray();
        } else {
            int[] idx = Subsampler.choose(a, m, rng);
            xRows = new int[m];
            for (int i = 0; i < m; i++) {
                xRows[i] = order[idx[i]];
            }
            xCounts = new int[m];
            Arrays.fill(xCounts, 1);
        }
        int[] cIdx = Subsampler.choose(a, Math.min(m, a), rng);
        int[] centroidRows = new int[cIdx.length];
        for (int i = 0; i < cIdx.length; i++) {
            centroidRows[i] = order[cIdx[i]];
        }
        return new Draw(xRows, xCounts, yRows, centroidRows);
    }

    private static int[] pick(List<Integer> from, int m, SplittableRandom rng) {
        int[] idx = Subsampler.choose(from.size(), m, rng);
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = from.get(idx[i]);
        }
        return out;
    }
}
