package org.gaplab.engine.device;

/**
 * What the process can see of CUDA, gathered once from DJL ({@link DeviceProbe}) and kept apart
 * from the decision so the decision can be unit-tested for every combination.
 *
 * @param cudartFound whether DJL could load {@code libcudart} (no driver/runtime visible otherwise)
 * @param cudaVersion CUDA runtime version string, or null
 * @param gpuCount GPUs the CUDA runtime reports
 * @param engineHasCuda whether the loaded libtorch was built with CUDA
 * @param flavor libtorch flavor (e.g. {@code cpu}, {@code cu128}), as requested or as loaded
 * @param libtorchPath where the loaded libtorch lives, or null
 */
public record CudaFacts(boolean cudartFound, String cudaVersion, int gpuCount, boolean engineHasCuda, String flavor,
        String libtorchPath) {
    /** Facts of a machine with no CUDA at all and the bundled CPU libtorch. */
    public static CudaFacts cpuOnly() {
        return new CudaFacts(false, null, 0, false, "cpu", null);
    }

    /**
     * @return null when a GPU is usable, else the reason it is not, in one sentence
     */
    public String whyNoGpu() {
        if (!engineHasCuda) {
            return "the loaded libtorch is the " + flavor + " build"
                    + (libtorchPath == null ? "" : " (" + libtorchPath + ")")
                    + ", which has no CUDA support; use the CUDA Docker image or set PYTORCH_LIBRARY_PATH, "
                    + "PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 and build with -Pgpu";
        }
        if (!cudartFound) {
            return "libcudart was not found on the library path, so no NVIDIA driver or CUDA runtime is visible "
                    + "(in Docker: run with --gpus all)";
        }
        if (gpuCount <= 0) {
            return "the CUDA runtime " + (cudaVersion == null ? "" : cudaVersion + " ")
                    + "reports no GPU (check the driver, CUDA_VISIBLE_DEVICES, or --gpus all)";
        }
        return null;
    }
}
