package org.gaplab.core;

/**
 * Seed arithmetic shared by every module: one root seed is split into named, independent streams
 * (init, data, eval, ...) by a SplitMix64 mix, so a run's randomness depends only on its own seed
 * and the position in its stream (never on which batch of runs it was trained with).
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser: a bijective avalanche of 64 bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Derives a child seed.
     *
     * @param seed parent seed
     * @param stream a stream name, e.g. "data"
     * @param index position within the stream (e.g. block index); use 0 when there is one
     * @return the child seed
     */
    public static long derive(long seed, String stream, long index) {
        long h = mix(seed + 0x9e3779b97f4a7c15L);
        for (int i = 0; i < stream.length(); i++) {
            h = mix(h ^ stream.charAt(i));
        }
        return mix(h ^ mix(index + 0x632be59bd9b4e019L));
    }

    /**
     * Maps a 64-bit seed to the int range DJL's {@code Engine.setRandomSeed} accepts, keeping it
     * non-negative.
     */
    public static int toEngineSeed(long seed) {
        return (int) (mix(seed) >>> 33);
    }
}
