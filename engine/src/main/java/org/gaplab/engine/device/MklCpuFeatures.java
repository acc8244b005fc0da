package org.gaplab.engine.device;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Lets the Intel MKL inside libtorch choose its matrix kernels by what the CPU supports on every
 * x86-64 CPU, not only on Intel's, set inside this process.
 *
 * <p>libtorch's CPU build links MKL statically. Before MKL picks a kernel branch (generic,
 * AVX2, AVX-512, ...) it asks whether the processor is an Intel one; on an AMD processor the
 * answer is no and every matrix product runs the generic branch whatever the processor supports:
 * on a 2-core AMD EPYC with AVX-512, MKL reported branch {@code COMPATIBLE} and a 1024 x 512 x 512
 * product ran at about half the speed of branch {@code AVX512_E1}. {@code MKL_DEBUG_CPU_TYPE} and
 * {@code MKL_ENABLE_INSTRUCTIONS} do not change this in the MKL libtorch 2.7.1 carries.
 *
 * <p>libtorch exports that question ({@code mkl_serv_intel_cpu_true}). gaplab's build compiles a
 * library that defines the same function and answers yes ({@code engine/src/main/native}); this
 * class opens it with {@code RTLD_GLOBAL} before libtorch is loaded, so the dynamic linker binds
 * libtorch's call to it and MKL then decides by the CPU's feature flags, as it does on Intel. It
 * is the in-process form of {@code LD_PRELOAD}, so it reaches the CLI, the Java API, sweeps,
 * reproductions and the Docker images alike.
 *
 * <p>It acts only on Linux x86-64 with a CPU whose vendor is not Intel (on Intel there is nothing
 * to change) and only before libtorch is loaded; {@code GAPLAB_MKL_CPU_FEATURES=off} turns it off.
 * When the library is missing (built without a C compiler) or fails to load, gaplab logs one
 * warning and runs MKL as libtorch ships it. {@code gaplab info} and {@code provenance.json}
 * record what happened and which branch MKL chose ({@link #describeCurrent()}).
 */
public final class MklCpuFeatures {
    private static final Logger LOG = LogManager.getLogger(MklCpuFeatures.class);

    /** The environment variable that turns it off: {@code off}, {@code 0}, {@code false} or {@code no}. */
    public static final String ENV = "GAPLAB_MKL_CPU_FEATURES";
    /** The library inside the jar, next to this class. */
    static final String RESOURCE = "native/linux-x86_64/libgaplab_mkl_cpu_features.so";
    private static final String INTEL = "GenuineIntel";

    private static Outcome outcome;
    /**
     * The opened library, held for the life of the process: JNA closes a library whose
     * {@code NativeLibrary} is garbage-collected, and MKL must find the definition whenever
     * libtorch is loaded.
     */
    private static NativeLibrary held;

    private MklCpuFeatures() {}

    /**
     * What {@link #apply()} did.
     *
     * @param active whether MKL's vendor check now answers yes in this process
     * @param vendor the CPU's vendor id, or null when unknown
     * @param reason why it is active or not, in a few words
     */
    public record Outcome(boolean active, String vendor, String reason) {
        /** @return one line, e.g. "active: AuthenticAMD CPU, MKL's vendor check answered yes in-process" */
        public String describe() {
            return (active ? "active: " : "inactive: ") + reason + (reproducible == null ? "" : "; " + reproducible);
        }
    }

    /** The environment variable of MKL's conditional numerical reproducibility (CNR) mode. */
    static final String CNR_ENV = "MKL_CBWR";
    /** What {@link #apply()} did about {@link #CNR_ENV}, or null. */
    private static String reproducible;

    /** The library in the jar, as the decision sees it (so it can be tested without the process). */
    interface Bundled {
        /** @return null when the jar holds the library, else why it does not */
        String missing();

        /** Opens the library so that its symbols are global; @return null on success, else the error */
        String loadGlobally();
    }

    /**
     * Makes MKL's vendor check answer yes unless there is nothing to fix, it is turned off, or it
     * is too late; idempotent. Called by {@link NativeThreadPolicy#apply()}, which every gaplab
     * entry point calls before libtorch loads.
     *
     * @return what was done
     */
    public static synchronized Outcome apply() {
        if (outcome == null) {
            boolean loaded = NativeThreadPolicy.libtorchLoaded();
            reproducible = reproducibleMode(System.getenv(), loaded, NativeThreadPolicy::setenv);
            outcome = decide(System.getenv(), System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                    DeviceEnvironment.cpuVendor(Path.of("/proc/cpuinfo")), loaded, new JarLibrary());
            // a library that could help on this CPU but is missing or failed deserves one warning;
            // "nothing to do" (Intel, not x86-64, turned off) does not
            if (!outcome.active() && (outcome.reason().startsWith("failed") || outcome.reason().startsWith("not built"))) {
                LOG.warn("MKL CPU features: {}", outcome.reason());
            } else {
                LOG.debug("MKL CPU features: {}", outcome.describe());
            }
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
     * @param osName {@code os.name}
     * @param osArch {@code os.arch}
     * @param vendor the CPU vendor id from cpuinfo, or null
     * @param libtorchLoaded whether libtorch is already in the process (then it is too late)
     * @param bundled the library
     * @return what was done and why
     */
    static Outcome decide(Map<String, String> env, String osName, String osArch, String vendor,
                          boolean libtorchLoaded, Bundled bundled) {
        String setting = env.get(ENV);
        if (setting != null && isOff(setting)) {
            return new Outcome(false, vendor, "turned off by " + ENV + "=" + setting);
        }
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux") || !(osArch.equals("amd64") || osArch.equals("x86_64"))) {
            return new Outcome(false, vendor, "not Linux x86-64 (" + osName + " " + osArch + "): MKL is used as shipped");
        }
        if (vendor == null) {
            return new Outcome(false, null, "CPU vendor unknown (no vendor_id in /proc/cpuinfo): MKL is used as shipped");
        }
        if (vendor.equals(INTEL)) {
            return new Outcome(false, vendor, "Intel CPU: MKL already chooses its kernels by CPU features");
        }
        String missing = bundled.missing();
        if (missing != null) {
            return new Outcome(false, vendor, missing);
        }
        if (libtorchLoaded) {
            return new Outcome(false, vendor, "failed: libtorch was loaded before gaplab could act"
                    + " (call NativeThreadPolicy.apply() before the first NDManager); MKL runs its generic kernels on this CPU");
        }
        String error = bundled.loadGlobally();
        if (error != null) {
            return new Outcome(false, vendor, "failed to load the CPU-features library: " + error
                    + "; MKL runs its generic kernels on this CPU");
        }
        return new Outcome(true, vendor, vendor + " CPU: MKL's vendor check answers yes in-process,"
                + " so MKL picks its kernels by the CPU's features");
    }

    /**
     * MKL's CNR mode {@code AUTO}: the kernels of the detected branch, with results the same from
     * run to run on one CPU with one thread count. Without it MKL may take run-time decisions (for
     * example on how to share work between threads) that change the last bits, and one test run of
     * two reproductions side by side on 2 busy cores differed in the seventh digit. On this AMD
     * EPYC it cost nothing measurable (GEMM 11.4 against 12.0 ms at 2 threads) and changed no
     * result of the quick reproductions; {@code AUTO,STRICT}, which also ignores memory alignment,
     * cost 30% and is left to the user. A value the user set is kept.
     *
     * @return a phrase for {@link Outcome#describe()}, or null when nothing applies
     */
    static String reproducibleMode(Map<String, String> env, boolean libtorchLoaded, NativeThreadPolicy.EnvWriter writer) {
        String have = env.get(CNR_ENV);
        if (have != null && !have.isBlank()) {
            return CNR_ENV + "=" + have + " (from the environment)";
        }
        if (libtorchLoaded) {
            return null;
        }
        return writer.set(CNR_ENV, "AUTO") ? CNR_ENV + "=AUTO (set in-process: run-to-run reproducible)" : null;
    }

    private static boolean isOff(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        return s.equals("off") || s.equals("0") || s.equals("false") || s.equals("no");
    }

    /** The library as this build packs it: a resource next to this class. */
    private static final class JarLibrary implements Bundled {
        @Override
        public String missing() {
            return MklCpuFeatures.class.getResource(RESOURCE) == null
                    ? "not built: this gaplab was built without a C compiler (install gcc, then rebuild:"
                            + " rm -rf engine/target/launch before ./gaplab); MKL runs its generic kernels on this CPU"
                    : null;
        }

        /** Copies the library out of the jar and opens it with {@code RTLD_GLOBAL}. */
        @Override
        public String loadGlobally() {
            Path tmp = null;
            try (InputStream in = MklCpuFeatures.class.getResourceAsStream(RESOURCE)) {
                tmp = Files.createTempFile("gaplab-mkl-cpu-features", ".so");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                held = NativeLibrary.getInstance(tmp.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_GLOBAL));
                return null;
            } catch (IOException | LinkageError | RuntimeException e) {
                // LinkageError: also JNA's NoClassDefFoundError when its native part could not load
                return e.getMessage() == null ? e.toString() : e.getMessage();
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);   // the mapping outlives the file
                    } catch (IOException e) {
                        tmp.toFile().deleteOnExit();
                    }
                }
            }
        }
    }

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOLOAD = 0x4;
    private static final int RTLD_GLOBAL = 0x100;

    /**
     * MKL's names of its kernel branches ({@code MKL_CBWR_*} in {@code mkl_service.h}).
     *
     * @param branch the number MKL reports
     * @return its name, e.g. "AVX512_E1", or "branch N" for one this table does not know
     */
    static String branchName(int branch) {
        return switch (branch) {
            case 1 -> "AUTO";
            case 2 -> "COMPATIBLE";
            case 3 -> "SSE2";
            case 6 -> "SSSE3";
            case 7 -> "SSE4_1";
            case 8 -> "SSE4_2";
            case 9 -> "AVX";
            case 10 -> "AVX2";
            case 11 -> "AVX512_MIC";
            case 12 -> "AVX512";
            case 13 -> "AVX512_MIC_E1";
            case 14 -> "AVX512_E1";
            case 16 -> "AVX512_E2";
            case 17 -> "AVX512_E3";
            case 18 -> "AVX512_E4";
            case 19 -> "AVX2_E1";
            case 20 -> "AVX512_E5";
            default -> "branch " + branch;
        };
    }

    /**
     * The kernel branch MKL chose in this process, read from libtorch once it is loaded.
     *
     * @return e.g. "AVX512_E1", or null when libtorch is not loaded or has no MKL
     */
    public static String kernelBranch() {
        Optional<Path> torch = NativeThreadPolicy.mappedLibrary("libtorch_cpu");
        if (torch.isEmpty()) {
            return null;
        }
        try {
            // RTLD_NOLOAD: only a handle to the copy already loaded, with its scope unchanged
            NativeLibrary lib = NativeLibrary.getInstance(torch.get().toString(),
                    Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
            Function f = lib.getFunction("mkl_serv_cbwr_get_auto_branch");
            return branchName(f.invokeInt(new Object[0]));
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("MKL kernel branch unknown: {}", e.toString());
            return null;
        }
    }

    /**
     * One line for {@code info}, provenance and benchmark output: the BLAS libtorch uses on the
     * CPU, which kernels it chose, and what this class did.
     *
     * @return e.g. "MKL (in libtorch), kernels AVX512_E1; CPU features: active: AuthenticAMD CPU, ..."
     */
    public static String describeCurrent() {
        Outcome o = current();
        String branch = kernelBranch();
        return "MKL (in libtorch)" + (branch == null ? "" : ", kernels " + branch)
                + "; CPU features: " + (o == null ? "not applied" : o.describe());
    }
}
