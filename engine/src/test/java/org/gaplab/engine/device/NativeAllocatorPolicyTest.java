package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The allocator thresholds: the decision on its own, and their effect read from the kernel's count
 * of minor page faults while libtorch allocates and frees step-sized buffers.
 */
class NativeAllocatorPolicyTest {
    @Test
    void setsThresholdsAndTopPadWhenTheUserSetNone() {
        Map<Integer, Integer> written = new HashMap<>();
        var o = NativeAllocatorPolicy.decide(Map.of(), (p, v) -> written.put(p, v) == null);
        assertThat(written).isEqualTo(Map.of(NativeAllocatorPolicy.M_MMAP_THRESHOLD, 32 << 20,
                NativeAllocatorPolicy.M_TRIM_THRESHOLD, 512 << 20, NativeAllocatorPolicy.M_TOP_PAD, 64 << 20));
        assertThat(o.describe()).isEqualTo("M_MMAP_THRESHOLD=33554432 M_TRIM_THRESHOLD=536870912 M_TOP_PAD=67108864 (mallopt)");
    }

    @Test
    void leavesTheUsersAllocatorSettingsAlone() {
        for (Map<String, String> env : List.of(Map.of("MALLOC_TRIM_THRESHOLD_", "0"),
                Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536"))) {
            var o = NativeAllocatorPolicy.decide(env, (p, v) -> {
                throw new AssertionError("must not call mallopt");
            });
            assertThat(o.set()).isEmpty();
            assertThat(o.kept()).isEqualTo(env);
        }
    }

    @Test
    void aRefusalIsReported() {
        var o = NativeAllocatorPolicy.decide(Map.of(), (p, v) -> false);
        assertThat(o.set()).isEmpty();
        assertThat(o.note()).contains("left at its defaults");
        // the first call took effect, the second did not: the outcome says which
        var half = NativeAllocatorPolicy.decide(Map.of(), (p, v) -> p == NativeAllocatorPolicy.M_MMAP_THRESHOLD);
        assertThat(half.set()).containsOnlyKeys("M_MMAP_THRESHOLD");
        assertThat(half.note()).contains("M_TRIM_THRESHOLD");
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "reads page faults from /proc/self/stat and calls glibc's mallopt")
    void freedBuffersAreReusedInsteadOfFaultedInAgain() throws Exception {
        long with = faultsInChild(Child.class, true, true);
        long without = faultsInChild(Child.class, false, true);
        // without the policy many rounds take their 6 x 16 MiB from the kernel again (24,576 faults
        // a round; measured 230,000-330,000 over 30 rounds); with it the heap keeps them, and what
        // faults remains does not grow with the rounds (0-65,000 over 30, 0-40,000 over 60)
        assertThat(without).as("faults with the policy: %d", with).isGreaterThan(4 * with).isGreaterThan(8 * 24_576);
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "reads page faults from /proc/self/stat and calls glibc's mallopt")
    void heapsOfThreadArenasAreKeptToo() throws Exception {
        // A thread's arena is made of 64 MiB heaps; a round's 6 x 16 MiB spans two, and glibc
        // unmapped the emptied second heap whatever the trim threshold: with the thresholds alone
        // the 60 rounds faulted 737,000-983,000 times (6 tries), with the top pad 4,160-4,180.
        assertThat(faultsInChild(RawChild.class, true, false)).isLessThan(60 * 4096 / 4);
    }

    private static long faultsInChild(Class<?> child, boolean apply, boolean oneArena) throws IOException, InterruptedException {
        return Long.parseLong(ChildJvm.run(child, env -> {
            for (String k : List.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")) {
                env.remove(k);
            }
            // one arena isolates the thresholds: a thread arena's emptied heaps were unmapped
            // whatever the thresholds (the test above); many arenas give a new thread its own
            env.put("MALLOC_ARENA_MAX", oneArena ? "1" : "256");
        }, "faults=(\\d+)", Boolean.toString(apply)));
    }

    /**
     * Rounds of six 16 MiB blocks from the C library's {@code malloc}, written and freed, on a
     * thread of its own (so in an arena of its own, and no other allocation lands between them);
     * counts the faults of 60 rounds after 3 that warm the heaps up. libtorch's tensors take the
     * same path, but its own small allocations interleave with them, so whether a round's second
     * heap empties varied from one process to the next.
     */
    public static final class RawChild {
        /** The C library's allocator. */
        public interface CLib extends com.sun.jna.Library {
            com.sun.jna.Pointer malloc(long size);

            void free(com.sun.jna.Pointer p);

            com.sun.jna.Pointer memset(com.sun.jna.Pointer p, int c, long n);
        }

        public static void main(String[] args) throws Exception {
            if (Boolean.parseBoolean(args[0])) {
                NativeAllocatorPolicy.apply();
            }
            CLib c = com.sun.jna.Native.load("c", CLib.class);
            long block = 16L << 20;
            long[] faults = new long[1];
            Throwable[] failure = new Throwable[1];
            Thread worker = new Thread(() -> {
                com.sun.jna.Pointer[] blocks = new com.sun.jna.Pointer[6];
                long before = 0;
                for (int round = 0; round < 63; round++) {
                    if (round == 3) {
                        before = minorFaults();
                    }
                    for (int i = 0; i < blocks.length; i++) {
                        blocks[i] = c.malloc(block);
                        c.memset(blocks[i], 1, block);
                    }
                    for (com.sun.jna.Pointer b : blocks) {
                        c.free(b);
                    }
                }
                faults[0] = minorFaults() - before;
            });
            worker.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
            worker.start();
            worker.join();
            if (failure[0] != null) {
                throw new IllegalStateException("the rounds failed", failure[0]);   // no count, a failed child
            }
            System.out.println("faults=" + faults[0]);
        }
    }

    /**
     * Rounds of six 16 MiB tensors freed together, as a blocked loss step frees its blocks; counts
     * the faults of 60 rounds after 3 that warm the heap up.
     */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            if (Boolean.parseBoolean(args[0])) {
                NativeAllocatorPolicy.apply();
            }
            try (NDManager m = NDManager.newBaseManager()) {
                for (int i = 0; i < 3; i++) {
                    round(m);
                }
                long before = minorFaults();
                for (int i = 0; i < 60; i++) {
                    round(m);
                }
                System.out.println("faults=" + (minorFaults() - before));
            }
        }

        private static void round(NDManager m) {
            try (NDManager scope = m.newSubManager()) {
                NDArray a = scope.ones(new Shape(4 << 20));
                NDArray sum = a;
                for (int j = 0; j < 5; j++) {
                    sum = sum.add(a);
                }
                sum.sum().getFloat();
            }
        }
    }

    /** Field 10 of /proc/self/stat: minor faults of this process. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
