package org.gaplab.engine.device;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps the C allocator from handing libtorch's large freed buffers back to the kernel after
 * every operation, set inside this process with glibc's {@code mallopt}.
 *
 * <p>libtorch's CPU tensors come from {@code malloc}. glibc serves a request above its mmap
 * threshold with a fresh {@code mmap} and returns freed memory at the top of a heap to the kernel
 * once it exceeds the trim threshold; both thresholds adapt to the largest block freed, but only
 * up to 32 MiB and twice that. A training step that frees several logit blocks or activations of
 * a few MiB each at a time crosses the trim threshold every time, so the next step takes every
 * page again from the kernel, zeroed: a 5-step run at B = 16,384 took 1 to 4.9 million page
 * faults and 1.1 to 8.6 s of system time (the more, the busier the machine), and 130 to 140
 * thousand and under 0.6 s with the settings below. Fixing the mmap threshold at glibc's maximum (32 MiB) and the trim
 * threshold at {@link #TRIM_THRESHOLD_BYTES} lets the heap keep and reuse what a step freed; the
 * peak resident size is what it was, since the memory is reused rather than added.
 *
 * <p>That covers the main arena. A JVM runs Java's {@code main}, like every Java thread, on a
 * thread to which glibc gives an arena of its own, built of mapped heaps of at most 64 MiB. When a
 * step frees the last block of a heap other than the arena's first, glibc unmaps the whole heap
 * whatever the trim threshold, and the next step maps and faults it in again. Whether a step's
 * buffers straddle such a boundary depends on the process's allocation history, so the same
 * command ran at two speeds: {@code bench --case large} at 1 thread took 42.6-44.0 ms a step with
 * 390,000-430,000 page faults, against 37.4-39.4 ms and 63,000-68,000 faults with this fix, in
 * the same minutes. glibc keeps an emptied heap when the arena's previous heap has less free room
 * than the top pad, so {@link #TOP_PAD_BYTES} set to the heap size keeps every heap; a pad is
 * address space asked for ahead, not memory touched, so the resident size does not change.
 *
 * <p>Settings the user made ({@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}, or
 * {@code glibc.malloc.*} in {@code GLIBC_TUNABLES}) are left alone. Unlike the OpenMP policy this
 * can be applied at any time, also after libtorch is loaded. Outside glibc it does nothing.
 */
public final class NativeAllocatorPolicy {
    private static final Logger LOG = LogManager.getLogger(NativeAllocatorPolicy.class);

    /** glibc's {@code M_TRIM_THRESHOLD}. */
    static final int M_TRIM_THRESHOLD = -1;
    /** glibc's {@code M_TOP_PAD}. */
    static final int M_TOP_PAD = -2;
    /** glibc's {@code M_MMAP_THRESHOLD}. */
    static final int M_MMAP_THRESHOLD = -3;
    /** Requests above this get their own mapping: glibc's upper bound on 64-bit systems. */
    public static final int MMAP_THRESHOLD_BYTES = 32 << 20;
    /** Free memory at a heap's top is returned to the kernel only beyond this. */
    public static final int TRIM_THRESHOLD_BYTES = 512 << 20;
    /**
     * Slack kept at a heap's top: the size of a thread arena's heap (glibc's {@code HEAP_MAX_SIZE}
     * on 64-bit systems), so that an emptied heap is never unmapped.
     */
    public static final int TOP_PAD_BYTES = 64 << 20;

    private static Outcome outcome;

    private NativeAllocatorPolicy() {}

    /**
     * What {@link #apply()} did.
     *
     * @param set the {@code mallopt} parameters set, with their values in bytes
     * @param kept the user's allocator settings found in the environment (left alone)
     * @param note why nothing was set, or null
     */
    public record Outcome(Map<String, Integer> set, Map<String, String> kept, String note) {
        /** @return one line for logs, e.g. "M_MMAP_THRESHOLD=33554432 M_TRIM_THRESHOLD=536870912 M_TOP_PAD=67108864 (mallopt)" */
        public String describe() {
            return NativeThreadPolicy.describe(set, "mallopt", kept, note);
        }
    }

    /** Sets one {@code mallopt} parameter; returns false when it could not. */
    @FunctionalInterface
    interface Mallopt {
        boolean set(int param, int value);
    }

    /**
     * Applies the thresholds unless the environment sets the allocator; idempotent.
     *
     * @return what was done
     */
    public static synchronized Outcome apply() {
        if (outcome == null) {
            outcome = decide(System.getenv(), NativeAllocatorPolicy::mallopt);
            LOG.debug("native allocator policy: {}", outcome.describe());
        }
        return outcome;
    }

    /** @return what {@link #apply()} did, or null when it has not run */
    public static synchronized Outcome current() {
        return outcome;
    }

    /**
     * The decision, apart from the process it acts on (so it can be tested).
     *
     * @param env the environment
     * @param mallopt sets a parameter
     * @return what was set or kept
     */
    static Outcome decide(Map<String, String> env, Mallopt mallopt) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String key : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) {
                kept.put(key, v);
            }
        }
        String tunables = env.get("GLIBC_TUNABLES");
        if (tunables != null && tunables.contains("glibc.malloc.")) {
            kept.put("GLIBC_TUNABLES", tunables);
        }
        Map<String, Integer> set = new LinkedHashMap<>();
        if (!kept.isEmpty()) {
            return new Outcome(set, kept, null);
        }
        // the mmap threshold first: setting either one ends glibc's adaptive thresholds
        if (!mallopt.set(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) {
            return new Outcome(set, kept, "mallopt unavailable or refused (not glibc?): allocator left at its defaults");
        }
        set.put("M_MMAP_THRESHOLD", MMAP_THRESHOLD_BYTES);
        if (!mallopt.set(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)) {
            return new Outcome(set, kept, "mallopt refused M_TRIM_THRESHOLD: the trim threshold stays at glibc's fixed default");
        }
        set.put("M_TRIM_THRESHOLD", TRIM_THRESHOLD_BYTES);
        if (!mallopt.set(M_TOP_PAD, TOP_PAD_BYTES)) {
            return new Outcome(set, kept, "mallopt refused M_TOP_PAD: emptied thread-arena heaps are still unmapped");
        }
        set.put("M_TOP_PAD", TOP_PAD_BYTES);
        return new Outcome(set, kept, null);
    }

    /** The C library's {@code mallopt}, through JNA (which DJL already ships). */
    interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    private static boolean mallopt(int param, int value) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            return c.mallopt(param, value) == 1;      // glibc returns 1 on success
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("mallopt {} failed: {}", param, e.toString());
            return false;
        }
    }
}
