package org.gaplab.engine.device;

import java.util.Locale;

/**
 * What the CUDA runtime library ({@code libcudart}, loaded the way DJL loads it) reports about
 * this machine. DJL's own probe turns every failure into "0 GPUs"; this keeps the CUDA error so the
 * reason can be named.
 *
 * @param loaded whether {@code libcudart} could be loaded at all
 * @param runtimeVersion {@code cudaRuntimeGetVersion}, e.g. 12080 for 12.8; -1 when not loaded
 * @param driverVersion {@code cudaDriverGetVersion}: the newest CUDA the installed driver supports,
 *     0 when no driver is installed, -1 when not loaded
 * @param deviceCountError the {@code cudaError_t} of {@code cudaGetDeviceCount} (0 = success)
 * @param errorName CUDA's name for that error (e.g. {@code cudaErrorInsufficientDriver}), or null
 * @param gpuCount GPUs reported (0 on error)
 */
public record CudartStatus(boolean loaded, int runtimeVersion, int driverVersion, int deviceCountError,
        String errorName, int gpuCount) {
    /** {@code cudaErrorInitializationError}. */
    public static final int ERROR_INITIALIZATION = 3;
    /** {@code cudaErrorStubLibrary}: only the driver's link stub was found, not a real driver. */
    public static final int ERROR_STUB_LIBRARY = 34;
    /** {@code cudaErrorInsufficientDriver}: the driver is missing or older than the runtime. */
    public static final int ERROR_INSUFFICIENT_DRIVER = 35;
    /** {@code cudaErrorNoDevice}. */
    public static final int ERROR_NO_DEVICE = 100;
    /** {@code cudaErrorNotPermitted}. */
    public static final int ERROR_NOT_PERMITTED = 800;

    /** @return the status when {@code libcudart} cannot be loaded */
    public static CudartStatus notLoaded() {
        return new CudartStatus(false, -1, -1, 0, null, 0);
    }

    /**
     * @param runtime runtime version
     * @param driver driver version
     * @param gpus GPUs reported
     * @return a status whose device query succeeded
     */
    public static CudartStatus ok(int runtime, int driver, int gpus) {
        return new CudartStatus(true, runtime, driver, 0, null, gpus);
    }

    /**
     * @param runtime runtime version
     * @param driver driver version
     * @param error the {@code cudaGetDeviceCount} error
     * @param name its CUDA name
     * @return a status whose device query failed
     */
    public static CudartStatus failed(int runtime, int driver, int error, String name) {
        return new CudartStatus(true, runtime, driver, error, name, 0);
    }

    /** @return the runtime version as {@code 12.8}, or null when not loaded */
    public String runtimeVersionString() {
        return loaded && runtimeVersion > 0 ? versionString(runtimeVersion) : null;
    }

    /** @return the driver's CUDA version as {@code 12.8}, {@code none} without a driver, or null when not loaded */
    public String driverVersionString() {
        if (!loaded || driverVersion < 0) {
            return null;
        }
        return driverVersion == 0 ? "none" : versionString(driverVersion);
    }

    /**
     * @param v a CUDA version as CUDA encodes it ({@code 1000 * major + 10 * minor})
     * @return {@code major.minor}
     */
    public static String versionString(int v) {
        return String.format(Locale.ROOT, "%d.%d", v / 1000, (v % 1000) / 10);
    }

    /** @return the error as {@code cudaErrorX (n)} */
    String errorText() {
        return (errorName == null ? "CUDA error" : errorName) + " (" + deviceCountError + ")";
    }
}
