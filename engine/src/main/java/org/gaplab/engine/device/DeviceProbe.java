package org.gaplab.engine.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads {@link CudaFacts} and device details from DJL (loads the engine on first use). */
public final class DeviceProbe {
    private DeviceProbe() {}

    /** @return the facts of this process */
    public static CudaFacts facts() {
        Engine engine = Engine.getInstance();
        String path = null;
        try {
            path = LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError e) {
            // not fatal: the path only enriches messages
        }
        int cudaVersion = safeCudaVersion();
        boolean cudart = cudaVersion > 0;
        int gpus = cudart ? CudaUtils.getGpuCount() : 0;
        return new CudaFacts(cudart, cudart ? CudaUtils.getCudaVersionString() : null, gpus,
                engine.hasCapability(StandardCapabilities.CUDA), flavor(path), path);
    }

    private static int safeCudaVersion() {
        try {
            return CudaUtils.hasCuda() ? CudaUtils.getCudaVersion() : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * The libtorch flavor: {@code PYTORCH_FLAVOR} when set, else read off the loaded library's
     * directory name (DJL unpacks to {@code <version>-<flavor>-<os>}), else {@code cpu}.
     */
    static String flavor(String libtorchPath) {
        String requested = System.getProperty("PYTORCH_FLAVOR", System.getenv("PYTORCH_FLAVOR"));
        if (requested != null && !requested.isBlank()) {
            return requested.trim();
        }
        if (libtorchPath != null) {
            String dir = Path.of(libtorchPath).getFileName().toString().toLowerCase(Locale.ROOT);
            for (String part : dir.split("-")) {
                if (part.equals("cpu") || part.matches("cu\\d+")) {
                    return part;
                }
            }
        }
        return "cpu";
    }

    /**
     * Resolves a request against this process.
     *
     * @param request what the user asked for
     * @return the choice with its reason
     * @throws DeviceUnavailableException when CUDA was requested and is unusable
     */
    public static DeviceChoice choose(DeviceRequest request) {
        if (request.kind() == DeviceRequest.Kind.CPU) {
            return DeviceChoice.decide(request, CudaFacts.cpuOnly());
        }
        return DeviceChoice.decide(request, facts());
    }

    /** One visible device with its memory, for {@code gaplab info}. */
    public record DeviceInfo(String device, String computeCapability, long memoryUsedBytes, long memoryTotalBytes) {}

    /** @return the visible GPUs (empty when none) */
    public static List<DeviceInfo> gpus(CudaFacts facts) {
        List<DeviceInfo> out = new ArrayList<>();
        if (facts.whyNoGpu() != null) {
            return out;
        }
        for (int i = 0; i < facts.gpuCount(); i++) {
            Device d = Device.gpu(i);
            MemoryUsage mem = CudaUtils.getGpuMemory(d);
            out.add(new DeviceInfo(d.toString(), CudaUtils.getComputeCapability(i), mem.getUsed(), mem.getMax()));
        }
        return out;
    }
}
