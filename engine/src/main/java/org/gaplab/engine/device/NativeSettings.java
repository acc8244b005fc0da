package org.gaplab.engine.device;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings that steer which libtorch DJL 0.36 loads, read the way DJL reads them
 * ({@code ai.djl.pytorch.jni.LibUtils}): {@code PYTORCH_LIBRARY_PATH} from the environment only;
 * {@code PYTORCH_VERSION} and {@code PYTORCH_FLAVOR} from the environment, else from a system
 * property of the same name. Kept as plain data so every combination can be unit-tested.
 *
 * @param libraryPath {@code PYTORCH_LIBRARY_PATH} (environment), or null
 * @param libraryPathProperty a {@code -DPYTORCH_LIBRARY_PATH} system property, which DJL ignores, or null
 * @param version {@code PYTORCH_VERSION}, or null
 * @param flavor {@code PYTORCH_FLAVOR}, or null
 * @param visibleDevices {@code CUDA_VISIBLE_DEVICES}, or null when unset
 */
public record NativeSettings(String libraryPath, String libraryPathProperty, String version, String flavor,
        String visibleDevices) {
    /** The libtorch version DJL 0.36 bundles and gaplab is built against. */
    public static final String PYTORCH_VERSION = "2.7.1";
    /** The only CUDA flavor DJL 0.36 publishes a JNI library for with PyTorch 2.7.1. */
    public static final String CUDA_FLAVOR = "cu128";
    /** DJL's flavor when {@code PYTORCH_LIBRARY_PATH} is used without {@code PYTORCH_FLAVOR}. */
    static final String DJL_DEFAULT_OVERRIDE_FLAVOR = "cpu-precxx11";

    /** DJL unpacks classpath natives to {@code <version>[-<build date>]-<flavor>-<os>-<arch>}. */
    private static final Pattern CACHE_DIR = Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-\\d+)?-([a-z0-9]+(?:-precxx11)?)-(?:linux|osx|win)-\\w+");

    /** @return the settings of this process */
    public static NativeSettings current() {
        return read(System.getenv(), System.getProperties());
    }

    /**
     * @param env environment variables
     * @param props system properties
     * @return the settings as DJL would read them
     */
    public static NativeSettings read(Map<String, String> env, Properties props) {
        return new NativeSettings(blankToNull(env.get("PYTORCH_LIBRARY_PATH")),
                blankToNull(props.getProperty("PYTORCH_LIBRARY_PATH")),
                envThenProperty(env, props, "PYTORCH_VERSION"), envThenProperty(env, props, "PYTORCH_FLAVOR"),
                env.get("CUDA_VISIBLE_DEVICES"));
    }

    private static String envThenProperty(Map<String, String> env, Properties props, String key) {
        String v = blankToNull(env.get(key));
        return v != null ? v : blankToNull(props.getProperty(key));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** @return the entries of {@code PYTORCH_LIBRARY_PATH} (empty when unset) */
    public List<Path> libraryPathEntries() {
        List<Path> out = new ArrayList<>();
        if (libraryPath != null) {
            for (String p : libraryPath.split(Pattern.quote(File.pathSeparator))) {
                if (!p.isBlank()) {
                    out.add(Path.of(p.trim()).toAbsolutePath().normalize());
                }
            }
        }
        return out;
    }

    /**
     * Whether the loaded libtorch came from DJL's cache of classpath natives (the bundled CPU jar)
     * rather than from a directory the user pointed at.
     *
     * @param libtorchPath the directory DJL loaded libtorch from, or null when unknown
     * @return true for a DJL cache directory such as {@code 2.7.1-20250812-cpu-linux-x86_64}
     */
    public static boolean isBundled(String libtorchPath) {
        return libtorchPath != null && CACHE_DIR.matcher(dirName(libtorchPath)).matches();
    }

    /**
     * The flavor DJL paired with the loaded libtorch, i.e. which JNI library it loads: for the bundled
     * natives the one in the cache directory's name; for a user directory {@code PYTORCH_FLAVOR},
     * defaulting to DJL's {@code cpu-precxx11}.
     *
     * @param libtorchPath the directory DJL loaded libtorch from, or null when unknown
     * @return the flavor, lower case
     */
    public String effectiveFlavor(String libtorchPath) {
        if (libtorchPath != null) {
            Matcher m = CACHE_DIR.matcher(dirName(libtorchPath));
            if (m.matches()) {
                return m.group(1);
            }
            return flavor == null ? DJL_DEFAULT_OVERRIDE_FLAVOR : flavor.toLowerCase(Locale.ROOT);
        }
        return flavor == null ? "cpu" : flavor.toLowerCase(Locale.ROOT);
    }

    /**
     * @param flavor a flavor such as {@code cu128}
     * @return its CUDA version as CUDA encodes it (12080 for cu128), or -1 for a CPU flavor
     */
    public static int cudaVersionOf(String flavor) {
        if (flavor == null) {
            return -1;
        }
        Matcher m = Pattern.compile("cu(\\d+)(\\d)").matcher(flavor.toLowerCase(Locale.ROOT));
        return m.lookingAt() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) * 10 : -1;
    }

    private static String dirName(String path) {
        Path name = Path.of(path).getFileName();
        return name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    }
}
