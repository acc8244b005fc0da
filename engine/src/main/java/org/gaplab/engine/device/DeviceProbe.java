package org.gaplab.engine.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads {@link CudaFacts} and device details from DJL and the CUDA runtime (loads the engine on first use). */
public final class DeviceProbe {
    private DeviceProbe() {}

    /** @return the facts of this process; never throws, a libtorch that fails to load is a fact too */
    public static CudaFacts facts() {
        NativeThreadPolicy.apply(); // before libtorch (and its OpenMP runtime) loads
        NativeSettings settings = NativeSettings.current();
        CudartStatus cudart = CudaRuntime.status();
        String engineError = null;
        String path = null;
        boolean engineHasCuda = false;
        try {
            Engine engine = Engine.getInstance();
            engineHasCuda = engine.hasCapability(StandardCapabilities.CUDA);
            path = LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            engineError = rootMessage(e);
        }
        return new CudaFacts(settings, cudart, engineError, path, path != null && isCudaBuild(Path.of(path)),
                engineHasCuda);
    }

    /** A libtorch directory holds a CUDA build when its CUDA libraries are there. */
    static boolean isCudaBuild(Path dir) {
        return Files.isRegularFile(dir.resolve(System.mapLibraryName("torch_cuda")))
                || Files.isRegularFile(dir.resolve(System.mapLibraryName("c10_cuda")));
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != t && t.getMessage() != null && !t.getMessage().equals(msg)) {
            msg = t.getMessage() + ": " + msg;
        }
        return msg.replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Resolves a request against this process.
     *
     * @param request what the user asked for
     * @return the choice with its reason
     * @throws DeviceUnavailableException when CUDA was requested and is unusable, or libtorch did not load
     */
    public static DeviceChoice choose(DeviceRequest request) {
        return DeviceChoice.decide(request, facts());
    }

    /**
     * One visible device with its memory, for {@code gaplab info} and {@code gaplab bench}.
     *
     * @param device DJL's name, e.g. {@code gpu(0)}
     * @param name the GPU's name, or null when the runtime does not say
     * @param computeCapability e.g. {@code 90}
     * @param memoryUsedBytes memory in use on the device (all processes)
     * @param memoryTotalBytes the device's memory
     */
    public record DeviceInfo(String device, String name, String computeCapability, long memoryUsedBytes,
            long memoryTotalBytes) {}

    /** @return the visible GPUs (empty when none is usable) */
    public static List<DeviceInfo> gpus(CudaFacts facts) {
        List<DeviceInfo> out = new ArrayList<>();
        if (facts.whyNoGpu() != null) {
            return out;
        }
        for (int i = 0; i < facts.gpuCount(); i++) {
            out.add(gpu(i));
        }
        return out;
    }

    /**
     * @param index a GPU index that {@link #facts()} reported usable
     * @return its name and memory
     */
    public static DeviceInfo gpu(int index) {
        Device d = Device.gpu(index);
        MemoryUsage mem = CudaUtils.getGpuMemory(d);
        return new DeviceInfo(d.toString(), CudaRuntime.deviceName(index), CudaUtils.getComputeCapability(index),
                mem.getUsed(), mem.getMax());
    }
}
