package org.gaplab.engine.device;

import ai.djl.util.Utils;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where this process's libtorch comes from, one of three routes:
 * <ul>
 *   <li>{@code bundled}: the CPU natives of the Maven jar {@code pytorch-native-cpu} on the
 *       class path, unpacked by DJL into its cache; nothing is downloaded (the default);</li>
 *   <li>{@code library path}: a libtorch the user installed, named by {@code PYTORCH_LIBRARY_PATH}
 *       (e.g. 2.7.1 {@code cu128} on a GPU workstation);</li>
 *   <li>{@code download}: neither, with DJL's offline mode off: DJL fetches the libtorch matching
 *       the detected CUDA (flavor {@code cu128} for DJL 0.36 with CUDA 12.8+, else {@code cpu})
 *       from its native repository into its cache once, and loads it from there afterwards. The
 *       launcher takes this route with {@code GAPLAB_NATIVE=download}; it has not run on a GPU
 *       in gaplab's tests yet.</li>
 * </ul>
 * With no bundled natives, no library path and offline mode on, no route is open and libtorch
 * fails to load; the description then says how to open one.
 */
public final class NativeRoute {
    /** The environment variable the launcher reads to choose the download route. */
    public static final String ENV = "GAPLAB_NATIVE";
    /** DJL's marker of a natives jar on the class path. */
    static final String BUNDLED_MARKER = "native/lib/pytorch.properties";

    private NativeRoute() {}

    /**
     * @param settings the PyTorch settings of this process
     * @return the route and its details, in display order
     */
    public static Map<String, Object> describe(NativeSettings settings) {
        boolean bundled = NativeRoute.class.getClassLoader().getResource(BUNDLED_MARKER) != null;
        // DJL's own readings of its offline switch and its cache directory
        return describe(settings, bundled, Utils.isOfflineMode(), Utils.getEngineCacheDir("pytorch"));
    }

    /**
     * The decision, apart from the process (so it can be tested).
     *
     * @param settings the PyTorch settings
     * @param bundled whether the CPU natives jar is on the class path
     * @param offline whether DJL's offline mode is on
     * @param cache DJL's cache directory for PyTorch
     * @return the route and its details, in display order
     */
    static Map<String, Object> describe(NativeSettings settings, boolean bundled, boolean offline, Path cache) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (settings.libraryPath() != null) {
            m.put("route", "library path");
            m.put("detail", "libtorch from PYTORCH_LIBRARY_PATH=" + settings.libraryPath());
        } else if (bundled) {
            m.put("route", "bundled");
            m.put("detail", "CPU libtorch " + NativeSettings.PYTORCH_VERSION
                    + " from the Maven jar pytorch-native-cpu on the class path, unpacked into " + cache);
        } else if (!offline) {
            m.put("route", "download");
            m.put("detail", "DJL fetches libtorch " + NativeSettings.PYTORCH_VERSION + " (flavor "
                    + (settings.flavor() != null ? settings.flavor() : "by the detected CUDA: " + NativeSettings.CUDA_FLAVOR + " or cpu")
                    + ") from its native repository into " + cache + " on first use, then loads it from there");
        } else {
            m.put("route", "none");
            m.put("detail", "no bundled CPU natives, no PYTORCH_LIBRARY_PATH, and DJL's offline mode forbids a download:"
                    + " set PYTORCH_LIBRARY_PATH, rebuild with the CPU natives, or run with " + ENV + "=download");
        }
        m.put("offline", offline);
        m.put("cache", cache.toString());
        return m;
    }
}
