package org.gaplab.engine.device;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Direct calls into {@code libcudart}, loaded by the same name DJL's {@code CudaUtils} uses, so
 * that gaplab sees the runtime DJL sees but keeps the CUDA error codes DJL reduces to "0 GPUs".
 */
final class CudaRuntime {
    private static final Logger LOG = LogManager.getLogger(CudaRuntime.class);

    /** The subset of the CUDA runtime API gaplab calls; every function returns a {@code cudaError_t}. */
    interface Cudart extends Library {
        int cudaRuntimeGetVersion(int[] version);

        int cudaDriverGetVersion(int[] version);

        int cudaGetDeviceCount(int[] count);

        String cudaGetErrorName(int error);

        int cudaGetDeviceProperties(Pointer prop, int device);
    }

    /**
     * {@code sizeof(cudaDeviceProp)} is about 1 KiB and grows between CUDA releases; the buffer is
     * generously larger. Only {@code name}, the first field ({@code char[256]}) in every release, is read.
     */
    private static final int DEVICE_PROP_BUFFER = 16 * 1024;

    private static final Cudart LIB = load();
    private static final CudartStatus STATUS = query();

    private CudaRuntime() {}

    private static Cudart load() {
        try {
            return Native.load("cudart", Cudart.class);
        } catch (UnsatisfiedLinkError | IncompatibleClassChangeError | SecurityException e) {
            LOG.debug("libcudart not loadable: {}", e.toString());
            return null;
        }
    }

    private static CudartStatus query() {
        if (LIB == null) {
            return CudartStatus.notLoaded();
        }
        try {
            int[] runtime = {-1};
            int[] driver = {-1};
            int[] count = {0};
            LIB.cudaRuntimeGetVersion(runtime);
            LIB.cudaDriverGetVersion(driver);
            int err = LIB.cudaGetDeviceCount(count);
            if (err != 0) {
                return CudartStatus.failed(runtime[0], driver[0], err, LIB.cudaGetErrorName(err));
            }
            return CudartStatus.ok(runtime[0], driver[0], count[0]);
        } catch (UnsatisfiedLinkError e) {
            // a libcudart too old to export one of the functions: treat as absent, say so in the log
            LOG.debug("libcudart lacks a function gaplab calls: {}", e.toString());
            return CudartStatus.notLoaded();
        }
    }

    /** @return the runtime's status, queried once per process */
    static CudartStatus status() {
        return STATUS;
    }

    /**
     * @param device a GPU index
     * @return the device's marketing name (e.g. "NVIDIA H100 80GB HBM3"), or null when unavailable
     */
    static String deviceName(int device) {
        if (LIB == null || STATUS.gpuCount() <= device) {
            return null;
        }
        try (Memory prop = new Memory(DEVICE_PROP_BUFFER)) {
            prop.clear();
            if (LIB.cudaGetDeviceProperties(prop, device) != 0) {
                return null;
            }
            return prop.getString(0, "US-ASCII");
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
