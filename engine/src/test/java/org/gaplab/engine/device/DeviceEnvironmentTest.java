package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

class DeviceEnvironmentTest {
    @Test
    void gpuDescriptionCarriesNameCapabilityAndMemoryOfTheDeviceUsed() {
        CudaFacts f = new CudaFacts(new NativeSettings("/opt/libtorch/lib", null, "2.7.1", "cu128", null),
                CudartStatus.ok(12080, 12090, 2), null, "/opt/libtorch/lib", true, true);
        Map<String, Object> m = DeviceEnvironment.describe(Device.gpu(1), f,
                i -> new DeviceProbe.DeviceInfo("gpu(" + i + ")", "GPU number " + i, "90", 1_000L, 80_000L));
        assertThat(m).containsEntry("device", "gpu(1)").containsEntry("gpu_name", "GPU number 1")
                .containsEntry("gpu_compute_capability", "90").containsEntry("gpu_memory_total_bytes", 80_000L)
                .containsEntry("gpu_memory_used_bytes", 1_000L).containsEntry("libtorch_flavor", "cu128")
                .containsEntry("cuda_runtime", "12.8").containsEntry("cuda_driver", "12.9")
                .doesNotContainKey("cpu_name");
    }

    @Test
    void cpuDescriptionNeverTouchesTheGpu() {
        Map<String, Object> m = DeviceEnvironment.describe(Device.cpu(), CudaFacts.cpuOnly(), i -> {
            throw new AssertionError("GPU queried for a CPU run");
        });
        assertThat(m).containsEntry("device", "cpu()").containsEntry("libtorch_flavor", "cpu")
                .containsKey("cpu_name").doesNotContainKey("gpu_name");
    }

    @Test
    void cpuNameComesFromCpuinfo(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cpuinfo");
        Files.writeString(f, "processor\t: 0\nvendor_id\t: X\nmodel name\t: Example CPU @ 3.00GHz\n");
        assertThat(DeviceEnvironment.cpuName(f)).isEqualTo("Example CPU @ 3.00GHz");
        assertThat(DeviceEnvironment.cpuName(dir.resolve("missing"))).isEqualTo(System.getProperty("os.arch"));
    }
}
