package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

class NativeSettingsTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void environmentWinsOverPropertyForVersionAndFlavorAsInDjl() {
        NativeSettings s = NativeSettings.read(Map.of("PYTORCH_FLAVOR", "cu128", "PYTORCH_VERSION", "2.7.1"),
                props("PYTORCH_FLAVOR", "cpu", "PYTORCH_VERSION", "2.5.1"));
        assertThat(s.flavor()).isEqualTo("cu128");
        assertThat(s.version()).isEqualTo("2.7.1");
    }

    @Test
    void propertyIsUsedWhenTheEnvironmentIsUnsetOrBlank() {
        NativeSettings s = NativeSettings.read(Map.of("PYTORCH_FLAVOR", "  "), props("PYTORCH_FLAVOR", "cu128",
                "PYTORCH_VERSION", "2.7.1"));
        assertThat(s.flavor()).isEqualTo("cu128");
        assertThat(s.version()).isEqualTo("2.7.1");
    }

    @Test
    void libraryPathIsReadFromTheEnvironmentOnlyAndThePropertyIsKeptApart() {
        NativeSettings s = NativeSettings.read(Map.of(), props("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib"));
        assertThat(s.libraryPath()).isNull();
        assertThat(s.libraryPathProperty()).isEqualTo("/opt/libtorch/lib");
        NativeSettings e = NativeSettings.read(Map.of("PYTORCH_LIBRARY_PATH", "/a:/opt/libtorch/lib"), props());
        assertThat(e.libraryPathEntries()).containsExactly(Path.of("/a"), Path.of("/opt/libtorch/lib"));
    }

    @Test
    void cudaVisibleDevicesKeepsAnEmptyValueBecauseEmptyHidesEveryGpu() {
        assertThat(NativeSettings.read(Map.of("CUDA_VISIBLE_DEVICES", ""), props()).visibleDevices()).isEmpty();
        assertThat(NativeSettings.read(Map.of(), props()).visibleDevices()).isNull();
    }

    @ParameterizedTest(name = "{0} with PYTORCH_FLAVOR={1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        // DJL's cache of the bundled natives: the flavor is in the directory name, the variable is ignored
        "/home/u/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64, null, cpu",
        "/home/u/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64, cu128, cpu",
        "/cache/pytorch/2.7.1-cu128-linux-x86_64, null, cu128",
        "/cache/pytorch/1.9.1-cpu-precxx11-linux-x86_64, null, cpu-precxx11",
        // a user's libtorch: DJL takes PYTORCH_FLAVOR, defaulting to cpu-precxx11
        "/opt/libtorch/lib, cu128, cu128",
        "/opt/libtorch/lib, CU128, cu128",
        "/opt/libtorch/lib, null, cpu-precxx11",
        // nothing loaded
        "null, null, cpu",
        "null, cu128, cu128"})
    void effectiveFlavor(String libtorchPath, String flavor, String expected) {
        NativeSettings s = new NativeSettings(null, null, null, flavor, null);
        assertThat(s.effectiveFlavor(libtorchPath)).isEqualTo(expected);
    }

    @Test
    void bundledMeansDjlsCacheDirectory() {
        assertThat(NativeSettings.isBundled("/home/u/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64")).isTrue();
        assertThat(NativeSettings.isBundled("/opt/libtorch/lib")).isFalse();
        assertThat(NativeSettings.isBundled(null)).isFalse();
    }

    @Test
    void cudaVersionOfFlavor() {
        assertThat(NativeSettings.cudaVersionOf("cu128")).isEqualTo(12080);
        assertThat(NativeSettings.cudaVersionOf("cu118")).isEqualTo(11080);
        assertThat(NativeSettings.cudaVersionOf("cpu")).isEqualTo(-1);
        assertThat(NativeSettings.cudaVersionOf(null)).isEqualTo(-1);
        assertThat(CudartStatus.versionString(13000)).isEqualTo("13.0");
        assertThat(CudartStatus.versionString(12080)).isEqualTo("12.8");
    }
}
