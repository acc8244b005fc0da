package org.gaplab.core;

/**
 * Runs two independent pieces of work and returns when both are done: in order on the calling
 * thread ({@link #IN_ORDER}), or side by side (the trainer's tower branches on the CPU). The
 * pieces must not depend on each other's results; whatever they write must be disjoint.
 */
@FunctionalInterface
public interface TwoWay {
    /** The first piece, then the second, on the calling thread. */
    TwoWay IN_ORDER = (first, second) -> {
        first.run();
        second.run();
    };

    /**
     * @param first the first piece
     * @param second the second piece
     */
    void both(Runnable first, Runnable second);
}
