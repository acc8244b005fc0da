package org.gaplab.engine.device;

/** Why no GPU is usable, most fundamental first; see {@link CudaFacts#problem()}. */
public enum GpuProblem {
    /** libtorch itself failed to load (nothing runs, not even on CPU). */
    ENGINE_NOT_LOADED("libtorch did not load"),
    /** The PYTORCH_* settings and the libtorch DJL actually loaded disagree. */
    FLAVOR_MISMATCH("PYTORCH_* settings do not match the loaded libtorch"),
    /** The loaded libtorch is a CPU build. */
    CPU_LIBTORCH("CPU build of libtorch"),
    /** {@code libcudart} is not on the library path. */
    NO_CUDART("no CUDA runtime"),
    /** No NVIDIA driver (or only its stub) is visible to the process. */
    NO_DRIVER("no NVIDIA driver"),
    /** The driver is older than the CUDA runtime or libtorch flavor needs. */
    DRIVER_TOO_OLD("NVIDIA driver too old"),
    /** The driver works but shows no device (none installed, or hidden by CUDA_VISIBLE_DEVICES). */
    NO_DEVICE("no GPU visible"),
    /** CUDA failed to initialise for another reason (permissions, a device in a bad state). */
    CUDA_INIT_FAILED("CUDA failed to initialise"),
    /** Everything above is fine, but libtorch reports CUDA unavailable. */
    LIBTORCH_CUDA_UNAVAILABLE("libtorch reports CUDA unavailable");

    private final String label;

    GpuProblem(String label) {
        this.label = label;
    }

    /** @return a few words for one-line logs, e.g. "CPU build of libtorch"; the full diagnosis is {@link CudaFacts#whyNoGpu()} */
    public String label() {
        return label;
    }
}
