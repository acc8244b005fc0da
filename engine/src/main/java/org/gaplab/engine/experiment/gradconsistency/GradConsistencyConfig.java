package org.gaplab.engine.experiment.gradconsistency;

import org.gaplab.core.Checks;

import java.util.Arrays;
import java.util.List;

/**
 * Settings of the gradient-consistency experiment (docs/theory.md section 7): a linear encoder
 * {@code W in R^{outDim x inDim}, W ~ N(0, 1/inDim)} on Gaussian-mixture data, the gradient of
 * unimodal InfoNCE with N negatives against the one with {@code nRef} negatives, at initialisation.
 *
 * @param inDim data dimension m (64)
 * @param outDim embedding dimension d (128)
 * @param components mixture components (4)
 * @param meanNorm norm of the mixture means (4)
 * @param sd mixture standard deviation (1)
 * @param anchors B, anchors per seed (64)
 * @param nRef negatives of the reference gradient (4096)
 * @param negatives the N compared, ascending, each at most nRef; prefixes of the same pool
 * @param seeds number of seeds (20)
 * @param firstSeed seed of the first run; run i uses {@code firstSeed + i}
 * @param cosineTau temperature of the cosine critic (0.1)
 * @param cosineNoise sd of the positive's perturbation for the cosine critic (0.05)
 * @param rbfTau temperature of the RBF critic (1)
 * @param rbfGamma gamma of the RBF critic (1/d = 1/128)
 * @param rbfNoise sd of the positive's perturbation for the RBF critic (0.2)
 * @param negativeLaw where the pool of negatives comes from ({@link NegativeLaw#FRESH_MIXTURE}, the authors' script)
 */
public record GradConsistencyConfig(int inDim, int outDim, int components, double meanNorm, double sd, int anchors,
        int nRef, List<Integer> negatives, int seeds, long firstSeed, double cosineTau, double cosineNoise,
        double rbfTau, double rbfGamma, double rbfNoise, NegativeLaw negativeLaw) {

    /** The law the pool of negatives is drawn from. */
    public enum NegativeLaw {
        /**
         * A second mixture with its own freshly drawn means, as the authors' script does (it draws
         * new means on every sampling call): the paper's figure was made this way.
         */
        FRESH_MIXTURE,
        /** The anchors' own mixture, so that negatives come from the anchors' law rho as the theory assumes. */
        SAME_MIXTURE
    }

    /** Validates. */
    public GradConsistencyConfig {
        Checks.positive(inDim, "inDim");
        Checks.positive(outDim, "outDim");
        Checks.positive(components, "components");
        Checks.nonNegative(meanNorm, "meanNorm");
        Checks.positive(sd, "sd");
        Checks.positive(anchors, "anchors");
        Checks.positive(nRef, "nRef");
        Checks.notNull(negatives, "negatives");
        Checks.check(!negatives.isEmpty(), "negatives", "must not be empty");
        negatives = List.copyOf(negatives);
        for (int i = 0; i < negatives.size(); i++) {
            int n = negatives.get(i);
            Checks.check(n >= 1 && n <= nRef, "negatives", "each N must be in [1, nRef = " + nRef + "], got " + n);
            Checks.check(i == 0 || n > negatives.get(i - 1), "negatives", "must be strictly ascending, got " + negatives);
        }
        Checks.positive(seeds, "seeds");
        Checks.positive(cosineTau, "cosineTau");
        Checks.nonNegative(cosineNoise, "cosineNoise");
        Checks.positive(rbfTau, "rbfTau");
        Checks.positive(rbfGamma, "rbfGamma");
        Checks.nonNegative(rbfNoise, "rbfNoise");
        Checks.notNull(negativeLaw, "negativeLaw");
    }

    /** @return the paper's settings: N = 4..1024, N_ref = 4096, B = 64, 20 seeds, negatives from a fresh mixture */
    public static GradConsistencyConfig paperDefault() {
        return new GradConsistencyConfig(64, 128, 4, 4.0, 1.0, 64, 4096, powersOfTwo(4, 1024), 20, 0, 0.1, 0.05,
                1.0, 1.0 / 128, 0.2, NegativeLaw.FRESH_MIXTURE);
    }

    /** @return a reduced run for tests (3 seeds, N = 4..256, N_ref = 1024), about a second on CPU */
    public static GradConsistencyConfig quick() {
        return paperDefault().with(3, powersOfTwo(4, 256), 1024);
    }

    /** @return a copy with another seed count, list of N and reference size */
    public GradConsistencyConfig with(int newSeeds, List<Integer> newNegatives, int newNRef) {
        return new GradConsistencyConfig(inDim, outDim, components, meanNorm, sd, anchors, newNRef, newNegatives,
                newSeeds, firstSeed, cosineTau, cosineNoise, rbfTau, rbfGamma, rbfNoise, negativeLaw);
    }

    /** @return a copy drawing its negatives from {@code law} */
    public GradConsistencyConfig withNegativeLaw(NegativeLaw law) {
        return new GradConsistencyConfig(inDim, outDim, components, meanNorm, sd, anchors, nRef, negatives, seeds, firstSeed,
                cosineTau, cosineNoise, rbfTau, rbfGamma, rbfNoise, law);
    }

    /** @return a copy with another seed count */
    public GradConsistencyConfig withSeeds(int newSeeds) {
        return with(newSeeds, negatives, nRef);
    }

    /** @return {@code lo, 2 lo, 4 lo, ..., <= hi} */
    public static List<Integer> powersOfTwo(int lo, int hi) {
        return Arrays.stream(java.util.stream.IntStream.iterate(lo, n -> n <= hi, n -> n * 2).toArray()).boxed().toList();
    }
}
