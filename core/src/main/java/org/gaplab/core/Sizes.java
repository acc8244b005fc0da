package org.gaplab.core;

/**
 * Sizes of arrays and buffers in 64-bit arithmetic with overflow checks, so a hostile option or
 * file header cannot wrap a product into a small or negative number ("NegativeArraySizeException",
 * "/ by zero") before a bound is checked.
 */
public final class Sizes {
    private Sizes() {}

    /**
     * @param factors non-negative factors
     * @return their product, or {@link Long#MAX_VALUE} when it overflows (a size that fails any bound)
     * @throws IllegalArgumentException on a negative factor
     */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) {
                throw new IllegalArgumentException("negative size factor " + f);
            }
            if (f != 0 && p > Long.MAX_VALUE / f) {
                return Long.MAX_VALUE;
            }
            p *= f;
        }
        for (long f : factors) {
            if (f == 0) {
                return 0;
            }
        }
        return p;
    }

    /**
     * @return {@code a + b} for non-negative sizes, saturating at {@link Long#MAX_VALUE}
     */
    public static long sum(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /**
     * Refuses an option outside {@code [min, max]}, naming the option and the bound.
     *
     * @param value the value given
     * @param min smallest allowed
     * @param max largest allowed
     * @param option the option's name, e.g. "--permutations"
     * @param why what the upper bound protects, e.g. "each relabelling is a weight column"; may be empty
     * @throws UserException (exit 2) when out of range
     */
    public static void requireRange(long value, long min, long max, String option, String why) {
        if (value < min || value > max) {
            throw new UserException(option + " must be between " + min + " and " + max + ", got " + value
                    + (why == null || why.isEmpty() ? "" : " (" + why + ")"));
        }
    }

    /**
     * Bytes of the Java heap a reader may still claim: what the heap may grow to, less what is in use,
     * less a quarter of the maximum kept for everything else.
     *
     * @return bytes
     */
    public static long heapHeadroom() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return Math.max(0, rt.maxMemory() - used - rt.maxMemory() / 4);
    }

    /** @return bytes as e.g. "3.2 GiB" */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
