package org.gaplab.engine.device;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the process can see of libtorch and CUDA, gathered once by {@link DeviceProbe} and kept
 * apart from the diagnosis so that every combination can be unit-tested without a GPU.
 *
 * @param settings the PYTORCH_* and CUDA_VISIBLE_DEVICES settings
 * @param cudart what {@code libcudart} reports
 * @param engineError why libtorch failed to load, or null when it loaded
 * @param libtorchPath the directory libtorch was loaded from, or null
 * @param libtorchCudaBuild whether that directory holds a CUDA build ({@code libtorch_cuda.so})
 * @param engineHasCuda whether the loaded libtorch reports CUDA available
 */
public record CudaFacts(NativeSettings settings, CudartStatus cudart, String engineError, String libtorchPath,
        boolean libtorchCudaBuild, boolean engineHasCuda) {

    /** How to get a CUDA libtorch into the process, for messages. */
    static final String HOW_TO_CUDA = "use the CUDA Docker image, or set PYTORCH_LIBRARY_PATH=<libtorch "
            + NativeSettings.PYTORCH_VERSION + " " + NativeSettings.CUDA_FLAVOR + ">/lib, PYTORCH_VERSION="
            + NativeSettings.PYTORCH_VERSION + ", PYTORCH_FLAVOR=" + NativeSettings.CUDA_FLAVOR + " and build with -Pgpu";

    /** @return facts of a machine with no CUDA at all and the bundled CPU libtorch */
    public static CudaFacts cpuOnly() {
        return new CudaFacts(new NativeSettings(null, null, null, null, null), CudartStatus.notLoaded(), null,
                null, false, false);
    }

    /** @return the libtorch flavor DJL paired with the loaded library (e.g. {@code cpu}, {@code cu128}) */
    public String flavor() {
        return settings.effectiveFlavor(libtorchPath);
    }

    /** @return the CUDA runtime version ({@code 12.8}), or null without {@code libcudart} */
    public String cudaVersion() {
        return cudart.runtimeVersionString();
    }

    /** @return GPUs the CUDA runtime reports */
    public int gpuCount() {
        return cudart.gpuCount();
    }

    /** @return whether {@code libcudart} was found */
    public boolean cudartFound() {
        return cudart.loaded();
    }

    /** @return the first reason no GPU is usable, or null when one is */
    public GpuProblem problem() {
        return diagnose() == null ? null : diagnose().problem;
    }

    /** @return null when a GPU is usable, else the reason it is not, in one line */
    public String whyNoGpu() {
        Diagnosis d = diagnose();
        return d == null ? null : d.text;
    }

    private record Diagnosis(GpuProblem problem, String text) {}

    private Diagnosis diagnose() {
        String libtorch = libtorchPath == null ? "" : " (" + libtorchPath + ")";
        if (engineError != null) {
            return new Diagnosis(GpuProblem.ENGINE_NOT_LOADED, "libtorch could not be loaded: " + engineError
                    + settingsHint());
        }
        String mismatch = flavorMismatch();
        if (mismatch != null) {
            return new Diagnosis(GpuProblem.FLAVOR_MISMATCH, mismatch);
        }
        Diagnosis cudaSide = cudaSide();
        if (!libtorchCudaBuild) {
            String also = cudaSide == null ? "" : "; besides, " + cudaSide.text;
            return new Diagnosis(GpuProblem.CPU_LIBTORCH, "the loaded libtorch is the CPU build" + libtorch
                    + ", which has no CUDA support; " + HOW_TO_CUDA + also);
        }
        if (cudaSide != null) {
            return cudaSide;
        }
        if (!engineHasCuda) {
            return new Diagnosis(GpuProblem.LIBTORCH_CUDA_UNAVAILABLE, "libtorch " + flavor() + libtorch
                    + " loaded and the CUDA runtime " + cudaVersion() + " sees " + gpuCount()
                    + " GPU(s), but libtorch reports CUDA unavailable; rerun with --verbose to see DJL's log");
        }
        return null;
    }

    /** PYTORCH_* settings that disagree with the library DJL actually loaded. */
    private String flavorMismatch() {
        String flavor = flavor();
        if (settings.libraryPathProperty() != null && settings.libraryPath() == null) {
            return "PYTORCH_LIBRARY_PATH is set as a Java system property, which DJL ignores (it reads only the "
                    + "environment variable); export PYTORCH_LIBRARY_PATH=" + settings.libraryPathProperty() + " instead";
        }
        boolean bundled = NativeSettings.isBundled(libtorchPath);
        if (settings.libraryPath() != null && libtorchPath != null && !fromLibraryPath()) {
            return "PYTORCH_LIBRARY_PATH=" + settings.libraryPath() + " holds no " + System.mapLibraryName("torch")
                    + ", so DJL ignored it and loaded " + (bundled ? "the bundled " + flavor + " libtorch" : "libtorch")
                    + " (" + libtorchPath + "); point it at the lib directory of the libtorch archive";
        }
        if (bundled && settings.flavor() != null && !settings.flavor().equalsIgnoreCase(flavor)) {
            return "PYTORCH_FLAVOR=" + settings.flavor() + " has no effect without PYTORCH_LIBRARY_PATH: DJL loaded the bundled "
                    + flavor + " libtorch (" + libtorchPath + "); " + HOW_TO_CUDA;
        }
        if (bundled) {
            return null;
        }
        boolean cudaFlavor = flavor.startsWith("cu");
        if (cudaFlavor && !libtorchCudaBuild && libtorchPath != null) {
            return "PYTORCH_FLAVOR=" + flavor + " but the libtorch in " + libtorchPath + " is a CPU build (no "
                    + System.mapLibraryName("torch_cuda") + "); point PYTORCH_LIBRARY_PATH at the lib directory of the "
                    + NativeSettings.CUDA_FLAVOR + " libtorch archive";
        }
        if (!cudaFlavor && libtorchCudaBuild) {
            return "the libtorch in " + libtorchPath + " is a CUDA build but the flavor is " + flavor
                    + (settings.flavor() == null ? " (DJL's default when PYTORCH_FLAVOR is unset)" : "")
                    + ", so DJL paired it with a CPU JNI library; set PYTORCH_FLAVOR=" + NativeSettings.CUDA_FLAVOR;
        }
        if (cudaFlavor && !flavor.equals(NativeSettings.CUDA_FLAVOR)) {
            return "PYTORCH_FLAVOR=" + flavor + ", but DJL 0.36 publishes its PyTorch " + NativeSettings.PYTORCH_VERSION
                    + " JNI library only for cpu and " + NativeSettings.CUDA_FLAVOR + "; use libtorch "
                    + NativeSettings.PYTORCH_VERSION + " " + NativeSettings.CUDA_FLAVOR + " with PYTORCH_FLAVOR="
                    + NativeSettings.CUDA_FLAVOR;
        }
        return null;
    }

    private boolean fromLibraryPath() {
        Path loaded = Path.of(libtorchPath).toAbsolutePath().normalize();
        List<Path> entries = settings.libraryPathEntries();
        for (Path p : entries) {
            if (loaded.equals(p) || loaded.equals(p.getParent())) {
                return true;
            }
        }
        return false;
    }

    /** Extra advice when libtorch failed to load, from settings known to break DJL 0.36. */
    private String settingsHint() {
        if (settings.libraryPath() != null && settings.flavor() == null) {
            return " (PYTORCH_LIBRARY_PATH is set but PYTORCH_FLAVOR is not, so DJL looks for a '"
                    + NativeSettings.DJL_DEFAULT_OVERRIDE_FLAVOR + "' JNI library that PyTorch "
                    + NativeSettings.PYTORCH_VERSION + " does not have; set PYTORCH_FLAVOR=" + NativeSettings.CUDA_FLAVOR + ")";
        }
        String f = settings.flavor() == null ? null : settings.flavor().toLowerCase(Locale.ROOT);
        if (f != null && !f.equals("cpu") && !f.equals(NativeSettings.CUDA_FLAVOR)) {
            return " (PYTORCH_FLAVOR=" + settings.flavor() + ": DJL 0.36 ships the PyTorch " + NativeSettings.PYTORCH_VERSION
                    + " JNI library only for cpu and " + NativeSettings.CUDA_FLAVOR + ")";
        }
        if (settings.version() != null && !settings.version().equals(NativeSettings.PYTORCH_VERSION)) {
            return " (PYTORCH_VERSION=" + settings.version() + " differs from " + NativeSettings.PYTORCH_VERSION
                    + ", the version gaplab is built for; DJL would download it, but gaplab runs offline)";
        }
        return "";
    }

    /** The CUDA runtime/driver/device side, independent of libtorch; null when it is fine. */
    private Diagnosis cudaSide() {
        if (!cudart.loaded()) {
            return new Diagnosis(GpuProblem.NO_CUDART, "libcudart (the CUDA runtime) is not on the library path "
                    + "(LD_LIBRARY_PATH or ldconfig), so CUDA cannot be used; in Docker, build FROM an nvidia/cuda runtime image");
        }
        String runtime = cudaVersion();
        int err = cudart.deviceCountError();
        boolean noDriver = cudart.driverVersion() == 0;
        if (err == CudartStatus.ERROR_STUB_LIBRARY || (err == CudartStatus.ERROR_INSUFFICIENT_DRIVER && noDriver)) {
            return new Diagnosis(GpuProblem.NO_DRIVER, "no NVIDIA driver is visible to this process: the CUDA runtime "
                    + runtime + " is installed but " + (err == CudartStatus.ERROR_STUB_LIBRARY
                            ? "only the driver's stub libcuda.so was found" : "libcuda.so.1 (the driver) was not found")
                    + " [" + cudart.errorText() + "]; install the NVIDIA driver, or in Docker run with --gpus all "
                    + "(NVIDIA Container Toolkit)");
        }
        if (err == CudartStatus.ERROR_INSUFFICIENT_DRIVER) {
            return new Diagnosis(GpuProblem.DRIVER_TOO_OLD, "the NVIDIA driver is too old: it supports CUDA up to "
                    + cudart.driverVersionString() + " but the CUDA runtime is " + runtime + " ["
                    + cudart.errorText() + "]; update the driver (CUDA 12.8 needs R570 or newer)");
        }
        if (err == CudartStatus.ERROR_NO_DEVICE || (err == 0 && cudart.gpuCount() <= 0)) {
            String vis = settings.visibleDevices();
            String hidden = vis == null ? "" : vis.isBlank() || vis.trim().startsWith("-")
                    ? "; CUDA_VISIBLE_DEVICES='" + vis + "' hides every GPU"
                    : "; check CUDA_VISIBLE_DEVICES='" + vis + "'";
            return new Diagnosis(GpuProblem.NO_DEVICE, "the NVIDIA driver (CUDA " + cudart.driverVersionString()
                    + ") and runtime " + runtime + " work but report no GPU" + hidden
                    + " (in Docker: --gpus all; in Kubernetes: a nvidia.com/gpu resource limit)");
        }
        if (err != 0) {
            String advice = err == CudartStatus.ERROR_NOT_PERMITTED
                    ? "; the process may not access /dev/nvidia* (container device permissions)"
                    : "; check nvidia-smi and the kernel log";
            return new Diagnosis(GpuProblem.CUDA_INIT_FAILED, "CUDA failed to initialise: " + cudart.errorText()
                    + " (runtime " + runtime + ", driver CUDA " + cudart.driverVersionString() + ")" + advice);
        }
        int needed = NativeSettings.cudaVersionOf(flavor());
        if (needed > 0 && cudart.driverVersion() > 0 && cudart.driverVersion() / 1000 < needed / 1000) {
            return new Diagnosis(GpuProblem.DRIVER_TOO_OLD, "the NVIDIA driver is too old: it supports CUDA up to "
                    + cudart.driverVersionString() + " but libtorch " + flavor() + " needs a CUDA "
                    + needed / 1000 + " driver; update the driver (CUDA 12.8 needs R570 or newer)");
        }
        return null;
    }
}
