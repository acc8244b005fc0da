package org.gaplab.engine.device;

/** Why no GPU is usable, most fundamental first; see {@link CudaFacts#problem()}. */
public enum GpuProblem {
    /** libtorch itself failed to load (nothing runs, not even on CPU). */
    ENGINE_NOT_LOADED,
    /** The PYTORCH_* settings and the libtorch DJL actually loaded disagree. */
    FLAVOR_MISMATCH,
    /** The loaded libtorch is a CPU build. */
    CPU_LIBTORCH,
    /** {@code libcudart} is not on the library path. */
    NO_CUDART,
    /** No NVIDIA driver (or only its stub) is visible to the process. */
    NO_DRIVER,
    /** The driver is older than the CUDA runtime or libtorch flavor needs. */
    DRIVER_TOO_OLD,
    /** The driver works but shows no device (none installed, or hidden by CUDA_VISIBLE_DEVICES). */
    NO_DEVICE,
    /** CUDA failed to initialise for another reason (permissions, a device in a bad state). */
    CUDA_INIT_FAILED,
    /** Everything above is fine, but libtorch reports CUDA unavailable. */
    LIBTORCH_CUDA_UNAVAILABLE
}
