package org.gaplab.models;

import ai.djl.ndarray.NDManager;

import org.gaplab.core.Seeds;

import java.util.function.Supplier;

/**
 * The one place where gaplab's named random streams meet the engine's generator.
 *
 * <p>DJL exposes a single global generator per engine ({@code Engine.setRandomSeed}), so a named
 * stream (a seed from {@link Seeds#derive}) is drawn by reseeding that generator and then drawing.
 * Two threads doing this at once would interleave and each would draw part of the other's stream.
 * Every stream in gaplab goes through {@link #draw}, which holds one JVM-wide lock from the reseed
 * until the draw has returned, so runs trained or measured on several threads of one JVM draw
 * exactly what each draws alone (tested).
 *
 * <p>Limits: the lock makes draws thread-safe, not parallel (draws are a small part of a step);
 * code that calls the engine's random functions directly, outside this class, is not protected;
 * and the numbers depend on the device, since libtorch's CPU and CUDA generators differ for the
 * same seed (runs are reproducible per device, not across devices).
 */
public final class RandomStreams {
    private static final Object LOCK = new Object();

    private RandomStreams() {}

    /**
     * Draws from the stream {@code seed}: reseeds the engine generator of {@code manager}, then runs
     * {@code draw}, with no other stream able to reseed in between.
     *
     * @param manager whose engine's generator to seed
     * @param seed the stream's seed (e.g. {@code Seeds.derive(runSeed, "data", block)})
     * @param draw the random draws, made right after the reseed; it must not block on other threads
     * @param <T> what the draw returns
     * @return what {@code draw} returned
     */
    public static <T> T draw(NDManager manager, long seed, Supplier<T> draw) {
        synchronized (LOCK) {
            manager.getEngine().setRandomSeed(Seeds.toEngineSeed(seed));
            return draw.get();
        }
    }
}
