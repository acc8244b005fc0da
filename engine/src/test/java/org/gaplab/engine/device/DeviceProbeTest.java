package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The probe on this test JVM, which (default {@code cpu} profile) loads the bundled CPU libtorch. */
class DeviceProbeTest {
    @Test
    void thisProcessSeesTheBundledCpuLibtorchAndSaysSo() {
        CudaFacts f = DeviceProbe.facts();
        assertThat(f.engineError()).isNull();
        assertThat(NativeSettings.isBundled(f.libtorchPath())).as(f.libtorchPath()).isTrue();
        assertThat(f.flavor()).isEqualTo("cpu");
        assertThat(f.libtorchCudaBuild()).isFalse();
        assertThat(f.engineHasCuda()).isFalse();
        assertThat(f.problem()).isEqualTo(GpuProblem.CPU_LIBTORCH);
        // whatever CUDA runtime this machine has, the status must be self-consistent
        CudartStatus c = f.cudart();
        if (c.loaded()) {
            assertThat(c.runtimeVersion()).isPositive();
            assertThat(c.deviceCountError() == 0 || c.gpuCount() == 0).isTrue();
        } else {
            assertThat(c.gpuCount()).isZero();
        }
    }

    @Test
    void chooseRefusesCudaAndAutoFallsBackWithTheReason() {
        assertThatThrownBy(() -> DeviceProbe.choose(DeviceRequest.parse("cuda")))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessageStartingWith("CUDA was requested (--device cuda:0) but cannot be used: the loaded libtorch is the CPU build (");
        DeviceChoice auto = DeviceProbe.choose(DeviceRequest.parse("auto"));
        assertThat(auto.device()).isEqualTo(Device.cpu());
        assertThat(auto.reason()).startsWith("auto: no usable GPU (the loaded libtorch is the CPU build");
        assertThat(auto.summary()).isEqualTo("auto: no usable GPU (CPU build of libtorch; 'gaplab info' says why); using CPU");
        assertThat(DeviceProbe.gpus(DeviceProbe.facts())).isEmpty();
    }

    @Test
    void cudaBuildIsRecognisedByItsCudaLibraries(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve(System.mapLibraryName("torch")));
        assertThat(DeviceProbe.isCudaBuild(dir)).isFalse();
        Files.createFile(dir.resolve(System.mapLibraryName("torch_cuda")));
        assertThat(DeviceProbe.isCudaBuild(dir)).isTrue();
    }
}
