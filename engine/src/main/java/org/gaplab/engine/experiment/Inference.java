package org.gaplab.engine.experiment;

/**
 * The former name of {@link HypothesisTests} (to ML readers "inference" is the forward pass),
 * kept so that experiments written against it still compile: what
 * {@code examples/custom-experiment} used, forwarded unchanged.
 *
 * @deprecated use {@link HypothesisTests}
 */
@Deprecated
public final class Inference {
    /** {@link HypothesisTests#ALPHA}. */
    public static final double ALPHA = HypothesisTests.ALPHA;

    private Inference() {}

    /**
     * {@link HypothesisTests.Direction}.
     *
     * @deprecated use {@link HypothesisTests.Direction}
     */
    @Deprecated
    public enum Direction {
        /** y grows with x. */
        INCREASING,
        /** y falls as x grows. */
        DECREASING;

        HypothesisTests.Direction current() {
            return HypothesisTests.Direction.valueOf(name());
        }
    }

    /**
     * @return {@link HypothesisTests#trendClaim(String, String, String, String, double[], double[], long[], HypothesisTests.Direction)}
     * @deprecated use {@link HypothesisTests#trendClaim(String, String, String, String, double[], double[], long[], HypothesisTests.Direction)}
     */
    @Deprecated
    public static Claim trendClaim(String statement, String source, String what, String setting, double[] x, double[] y,
            long[] seed, Direction direction) {
        return HypothesisTests.trendClaim(statement, source, what, setting, x, y, seed, direction.current());
    }

    /**
     * @return {@link HypothesisTests#holm(double[])}
     * @deprecated use {@link HypothesisTests#holm(double[])}
     */
    @Deprecated
    public static double[] holm(double[] p) {
        return HypothesisTests.holm(p);
    }

    /**
     * @return {@link HypothesisTests#p(double)}
     * @deprecated use {@link HypothesisTests#p(double)}
     */
    @Deprecated
    public static String p(double p) {
        return HypothesisTests.p(p);
    }
}
