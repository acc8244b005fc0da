package org.gaplab.engine.measure;

import org.gaplab.core.Seeds;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws the repeated subsamples of true pairs for the paired statistics (alignment, L_B - ln B,
 * optional subsample retrieval) without replacement, and their shuffle controls, on the host from
 * the "measure.subsample" and "measure.shuffle" seed streams (so they do not depend on the device
 * or on the engine's generator).
 *
 * <p>One-to-one pairing (no partner array, n1 = n2): m pair indices; both modalities take the same
 * rows. Many-to-one ({@code partner[j]} = row of z1 of z2 row j, e.g. five captions per image):
 * m rows of z2, and the distinct z1 rows they belong to, each once (so no point is duplicated).
 * The shuffle control keeps both row sets and permutes the partner of each z2 row: every marginal
 * statistic sees identical inputs, only the pairing changes.
 */
final class Subsampler {
    private final int n1;
    private final int n2;
    private final int[] partner;
    private final long seed;

    /**
     * One subsample.
     *
     * @param rows1 rows of z1 taken
     * @param rows2 rows of z2 taken
     * @param partner for each taken z2 row, its partner's position in {@code rows1}
     * @param shuffled the same partners, permuted (the shuffle control)
     */
    record Draw(int[] rows1, int[] rows2, int[] partner, int[] shuffled) {}

    /**
     * @param n1 rows of z1
     * @param n2 rows of z2
     * @param partner partner of each z2 row in z1, or null for one-to-one by index
     * @param seed root seed
     */
    Subsampler(int n1, int n2, int[] partner, long seed) {
        this.n1 = n1;
        this.n2 = n2;
        this.partner = partner;
        this.seed = seed;
    }

    /** @return the z2 rows one subsample takes for a requested size m */
    int size(int m) {
        return Math.min(m, n2);
    }

    Draw draw(int index, int m) {
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "measure.subsample", index));
        int size = size(m);
        int[] rows2 = choose(n2, size, rng);
        int[] rows1;
        int[] local;
        if (partner == null) {
            rows1 = rows2.clone();
            local = PermutationTest.identity(size);
        } else {
            Map<Integer, Integer> position = new LinkedHashMap<>();
            local = new int[size];
            for (int j = 0; j < size; j++) {
                local[j] = position.computeIfAbsent(partner[rows2[j]], key -> position.size());
            }
            rows1 = position.keySet().stream().mapToInt(Integer::intValue).toArray();
        }
        int[] shuffled = local.clone();
        PermutationTest.shuffle(shuffled, new SplittableRandom(Seeds.derive(seed, "measure.shuffle", index)));
        return new Draw(rows1, rows2, local, shuffled);
    }

    /** m of n indices without replacement, in random order (partial Fisher-Yates). */
    static int[] choose(int n, int m, SplittableRandom rng) {
        int[] a = PermutationTest.identity(n);
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Arrays.copyOf(a, m);
    }
}
