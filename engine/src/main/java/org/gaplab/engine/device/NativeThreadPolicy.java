package org.gaplab.engine.device;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How libtorch's OpenMP worker threads wait between parallel regions, set inside this process.
 *
 * <p>The OpenMP runtime bundled with libtorch (GNU libgomp; Intel's reads {@code KMP_BLOCKTIME})
 * reads {@code OMP_WAIT_POLICY} once, when the library is loaded. By default idle workers spin,
 * and on shared or busy cores the spinning workers take the cores the next step needs: a
 * 1,000-step run of the default config took about 10 s instead of 3 s. The {@code gaplab}
 * launcher exports the passive policy; this class does the same for any other JVM (the Java API,
 * an IDE, {@code java -jar}) by writing the variables into the process environment with the C
 * library's {@code setenv} before libtorch is loaded. Variables the user set are left alone.
 *
 * <p>gaplab's entry points ({@link DeviceProbe}, the sweep and training APIs, the CLI) call
 * {@link #apply()} before they touch the engine; code that loads the engine itself first (e.g.
 * {@code NDManager.newBaseManager()}) should call it earlier. It also applies
 * {@link NativeAllocatorPolicy} (the C allocator's thresholds), which has no such deadline.
 */
public final class NativeThreadPolicy {
    private static final Logger LOG = LogManager.getLogger(NativeThreadPolicy.class);

    /** The variables and the values the launcher exports. */
    public static final Map<String, String> PASSIVE = orderedPassive();

    private static Outcome outcome;

    private NativeThreadPolicy() {}

    private static Map<String, String> orderedPassive() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("OMP_WAIT_POLICY", "PASSIVE");
        m.put("KMP_BLOCKTIME", "0");
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * What {@link #apply()} did.
     *
     * @param set the variables this process set
     * @param kept the variables the user had set, with their values (left alone)
     * @param note why nothing could be set, or null
     */
    public record Outcome(Map<String, String> set, Map<String, String> kept, String note) {
        /** @return one line for logs and provenance, e.g. "OMP_WAIT_POLICY=PASSIVE KMP_BLOCKTIME=0 (set in-process)" */
        public String describe() {
            return NativeThreadPolicy.describe(set, "set in-process", kept, note);
        }
    }

    /**
     * One line for logs and provenance: what this process set, then what it found set.
     *
     * @param set the settings made here
     * @param how how they were made, e.g. "set in-process"
     * @param kept the user's settings, left alone
     * @param note why nothing could be set, or null
     * @return e.g. "OMP_WAIT_POLICY=PASSIVE KMP_BLOCKTIME=0 (set in-process)"
     */
    static String describe(Map<String, ?> set, String how, Map<String, String> kept, String note) {
        StringBuilder b = new StringBuilder();
        set.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
        if (!set.isEmpty()) {
            b.append('(').append(how).append(") ");
        }
        kept.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
        if (!kept.isEmpty()) {
            b.append("(from the environment) ");
        }
        if (note != null) {
            b.append(note);
        }
        return b.toString().trim();
    }

    /**
     * Sets the passive wait policy for libtorch's OpenMP threads unless the environment already
     * says otherwise; idempotent, and cheap after the first call.
     *
     * @return what was done
     */
    public static synchronized Outcome apply() {
        NativeAllocatorPolicy.apply();      // every entry point that sets the thread policy wants this too
        MklCpuFeatures.apply();             // like the wait policy, only effective before libtorch loads
        if (outcome == null) {
            outcome = decide(System.getenv(), openMpLoaded(), NativeThreadPolicy::setenv);
            LOG.debug("native thread policy: {}", outcome.describe());
        }
        return outcome;
    }

    /** @return what {@link #apply()} did, or null when it has not run */
    public static synchronized Outcome current() {
        return outcome;
    }

    /** Writes one environment variable; returns false when it could not. */
    @FunctionalInterface
    interface EnvWriter {
        boolean set(String name, String value);
    }

    /**
     * The decision, apart from the process it acts on (so it can be tested).
     *
     * @param env the environment as the JVM saw it at start-up
     * @param alreadyLoaded whether the OpenMP runtime is already loaded (then it is too late)
     * @param writer sets a variable in the C environment
     * @return what was set, what was kept, and why nothing was done when nothing was
     */
    static Outcome decide(Map<String, String> env, boolean alreadyLoaded, EnvWriter writer) {
        Map<String, String> set = new LinkedHashMap<>();
        Map<String, String> kept = new LinkedHashMap<>();
        String note = null;
        for (Map.Entry<String, String> e : PASSIVE.entrySet()) {
            String have = env.get(e.getKey());
            if (have != null && !have.isBlank()) {
                kept.put(e.getKey(), have);
            }
        }
        if (kept.size() == PASSIVE.size()) {
            return new Outcome(set, kept, null);
        }
        if (alreadyLoaded) {
            return new Outcome(set, kept, "not set: libtorch's OpenMP runtime was already loaded"
                    + " (call NativeThreadPolicy.apply() before the first NDManager, or export OMP_WAIT_POLICY=PASSIVE)");
        }
        for (Map.Entry<String, String> e : PASSIVE.entrySet()) {
            if (!kept.containsKey(e.getKey())) {
                if (writer.set(e.getKey(), e.getValue())) {
                    set.put(e.getKey(), e.getValue());
                } else {
                    note = "could not set " + e.getKey() + " in-process (export OMP_WAIT_POLICY=PASSIVE for full speed)";
                }
            }
        }
        return new Outcome(set, kept, note);
    }

    /** libc's {@code setenv}, through JNA (which DJL already ships). */
    interface CLibrary extends Library {
        int setenv(String name, String value, int overwrite);
    }

    static boolean setenv(String name, String value) {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return false;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            return c.setenv(name, value, 0) == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("setenv {} failed: {}", name, e.toString());
            return false;
        }
    }

    /** Whether an OpenMP runtime is already mapped into this process (Linux; elsewhere assume not). */
    static boolean openMpLoaded() {
        return mappedLibrary("libgomp").isPresent() || mappedLibrary("libiomp").isPresent() || libtorchLoaded();
    }

    /** Whether libtorch's CPU library is already mapped into this process (Linux; elsewhere assume not). */
    static boolean libtorchLoaded() {
        return mappedLibrary("libtorch_cpu").isPresent();
    }

    /**
     * @param name part of a shared library's file name, e.g. "libtorch_cpu"
     * @return the path of the first mapped file whose name contains it (Linux), or empty
     */
    static Optional<Path> mappedLibrary(String name) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(maps)) {
            return lines.map(l -> l.indexOf('/') < 0 ? "" : l.substring(l.indexOf('/')))
                    .filter(p -> p.contains(name) && Path.of(p).getFileName().toString().contains(name))
                    .findFirst().map(Path::of);
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }
}
