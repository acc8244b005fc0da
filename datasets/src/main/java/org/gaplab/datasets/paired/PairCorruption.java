package org.gaplab.datasets.paired;

import org.gaplab.core.Seeds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Same-class pair corruption (the paper's COCO study, docs/theory.md section 7): with probability p,
 * pair i = (x_i, y_i) becomes (x_i, y_j), where pair j is drawn uniformly from the pairs of the same
 * class whose x item differs from x_i; without labels every pair is of one class, so j is any pair
 * of another x item. A pair whose class holds a single x item stays intact.
 *
 * <p>Each pair draws from its own stream {@code (seed, "corruption", i)}: first {@code u ~ U(0,1)},
 * then its replacement j. So the corruption is fixed per pair for a seed, and the corrupted sets
 * are nested in p: a pair corrupted at p is corrupted, with the same replacement, at every p' > p.
 */
public final class PairCorruption {
    private PairCorruption() {}

    /**
     * @param xOfPair the x row of each pair
     * @param yOfPair the y row of each pair
     * @param classOfPair the class of each pair, or null for "no labels"
     * @param p corruption probability in [0, 1]
     * @param seed the corruption's seed
     * @return the y row each pair uses after corruption (a new array)
     */
    public static int[] apply(int[] xOfPair, int[] yOfPair, int[] classOfPair, double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("corruption: must be in [0, 1], got " + p);
        }
        int n = xOfPair.length;
        int[] out = yOfPair.clone();
        if (p == 0) {
            return out;
        }
        Map<Integer, List<Integer>> members = new HashMap<>();
        Map<Integer, Integer> distinctX = new HashMap<>();
        for (int i = 0; i < n; i++) {
            members.computeIfAbsent(classOf(classOfPair, i), c -> new ArrayList<>()).add(i);
        }
        members.forEach((c, list) -> {
            HashSet<Integer> xs = new HashSet<>();
            list.forEach(i -> xs.add(xOfPair[i]));
            distinctX.put(c, xs.size());
        });
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "corruption", i));
            double u = rng.nextDouble();
            int c = classOf(classOfPair, i);
            if (u >= p || distinctX.get(c) < 2) {
                continue;
            }
            List<Integer> candidates = members.get(c);
            int j;
            do { // terminates: the class holds another x item
                j = candidates.get(rng.nextInt(candidates.size()));
            } while (xOfPair[j] == xOfPair[i]);
            out[i] = yOfPair[j];
        }
        return out;
    }

    private static int classOf(int[] classOfPair, int i) {
        return classOfPair == null ? 0 : classOfPair[i];
    }
}
