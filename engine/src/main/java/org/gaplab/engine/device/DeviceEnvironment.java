package org.gaplab.engine.device;

import ai.djl.Device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The hardware a measurement ran on, as a map for JSON output ({@code gaplab bench}), so that
 * figures from different machines can be compared: GPU name, compute capability and memory on
 * CUDA; the CPU model otherwise; libtorch flavor and CUDA versions either way.
 */
public final class DeviceEnvironment {
    private DeviceEnvironment() {}

    /**
     * @param device the device the measurement used
     * @return the description, in display order
     */
    public static Map<String, Object> describe(Device device) {
        return describe(device, DeviceProbe.facts(), DeviceProbe::gpu);
    }

    /**
     * @param device the device the measurement used
     * @param facts what the process sees
     * @param gpuInfo reads one GPU's details (only called for a GPU device)
     * @return the description, in display order
     */
    static Map<String, Object> describe(Device device, CudaFacts facts, IntFunction<DeviceProbe.DeviceInfo> gpuInfo) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device.toString());
        m.put("libtorch_flavor", facts.flavor());
        m.put("cuda_runtime", facts.cudaVersion());
        m.put("cuda_driver", facts.cudart().driverVersionString());
        if (device.isGpu()) {
            DeviceProbe.DeviceInfo g = gpuInfo.apply(device.getDeviceId());
            m.put("gpu_name", g.name());
            m.put("gpu_compute_capability", g.computeCapability());
            m.put("gpu_memory_total_bytes", g.memoryTotalBytes());
            // includes libtorch's caching allocator and other processes: an upper bound of what the run holds
            m.put("gpu_memory_used_bytes", g.memoryUsedBytes());
        } else {
            m.put("cpu_vendor", cpuVendor(Path.of("/proc/cpuinfo")));
            m.put("cpu_name", cpuName(Path.of("/proc/cpuinfo")));
            m.put("blas", MklCpuFeatures.describeCurrent());
        }
        return m;
    }

    /** @return the first "model name" in a Linux cpuinfo file, or the OS architecture when there is none */
    static String cpuName(Path cpuinfo) {
        String name = cpuinfoField(cpuinfo, "model name");
        return name != null ? name : System.getProperty("os.arch");
    }

    /** @return the first "vendor_id" in a Linux cpuinfo file (e.g. GenuineIntel, AuthenticAMD), or null when there is none */
    static String cpuVendor(Path cpuinfo) {
        return cpuinfoField(cpuinfo, "vendor_id");
    }

    /** @return "vendor, model" of this machine's CPU, for lines that quote a speed, e.g. "AuthenticAMD, AMD EPYC" */
    public static String cpuDescription() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String vendor = cpuVendor(cpuinfo);
        return vendor == null ? cpuName(cpuinfo) : vendor + ", " + cpuName(cpuinfo);
    }

    private static String cpuinfoField(Path cpuinfo, String field) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(field)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: fall through
        }
        return null;
    }
}
