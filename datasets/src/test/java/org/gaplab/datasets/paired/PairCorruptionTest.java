package org.gaplab.datasets.paired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Same-class pair corruption: p = 0, p = 1, determinism, nesting in p, classes, singletons. */
class PairCorruptionTest {
    private static final int N = 400;

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static int[] classes(int n, int k) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = i % k;
        }
        return c;
    }

    @Test
    void atZeroEveryPairIsIntact() {
        assertThat(PairCorruption.apply(range(N), range(N), classes(N, 10), 0, 7)).containsExactly(range(N));
    }

    @Test
    void atOneNoPairKeepsItsPartnerAndEveryReplacementIsOfTheSameClass() {
        int[] cls = classes(N, 10);
        int[] y = PairCorruption.apply(range(N), range(N), cls, 1, 7);
        for (int i = 0; i < N; i++) {
            assertThat(y[i]).isNotEqualTo(i);
            assertThat(cls[y[i]]).isEqualTo(cls[i]);
        }
    }

    @Test
    void aClassWithOneMemberKeepsItsPair() {
        int[] cls = classes(N, 10);
        cls[5] = 99; // the only member of class 99
        int[] y = PairCorruption.apply(range(N), range(N), cls, 1, 3);
        assertThat(y[5]).isEqualTo(5);
        for (int i = 0; i < N; i++) {
            if (i != 5) {
                assertThat(y[i]).isNotEqualTo(i);
            }
        }
    }

    @Test
    void withoutLabelsAnyOtherItemServesAndManyToOnePartnersAreNotReused() {
        // 100 images with 4 captions each: a corrupted caption must come from another image
        int[] x = new int[N];
        for (int j = 0; j < N; j++) {
            x[j] = j / 4;
        }
        int[] y = PairCorruption.apply(x, range(N), null, 1, 11);
        java.util.Set<Integer> imagesUsed = new java.util.HashSet<>();
        for (int i = 0; i < N; i++) {
            assertThat(y[i] / 4).isNotEqualTo(x[i]);
            imagesUsed.add(y[i] / 4);
        }
        assertThat(imagesUsed.size()).isGreaterThan(50); // drawn across all images, not one class
    }

    @Test
    void theSameSeedGivesTheSameCorruptionAndTheFractionIsAboutP() {
        int[] cls = classes(N, 10);
        int[] a = PairCorruption.apply(range(N), range(N), cls, 0.5, 21);
        int[] b = PairCorruption.apply(range(N), range(N), cls, 0.5, 21);
        int[] c = PairCorruption.apply(range(N), range(N), cls, 0.5, 22);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        long moved = java.util.stream.IntStream.range(0, N).filter(i -> a[i] != i).count();
        assertThat(moved).isBetween(160L, 240L); // Binomial(400, 0.5): mean 200, sd 10
    }

    @Test
    void corruptedSetsAreNestedInP() {
        int[] cls = classes(N, 10);
        int[] low = PairCorruption.apply(range(N), range(N), cls, 0.25, 5);
        int[] high = PairCorruption.apply(range(N), range(N), cls, 0.75, 5);
        for (int i = 0; i < N; i++) {
            if (low[i] != i) {
                assertThat(high[i]).isEqualTo(low[i]);
            }
        }
    }

    @Test
    void pOutsideTheUnitIntervalIsRejected() {
        assertThatThrownBy(() -> PairCorruption.apply(range(3), range(3), null, -0.1, 0)).hasMessageContaining("corruption");
    }
}
