package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every combination of PYTORCH_* environment/properties, loaded libtorch and CUDA runtime state that
 * gaplab distinguishes, and what each request (auto, cpu, cuda, cuda:1) then gets.
 */
class DeviceChoiceTest {
    static final String BUNDLED_CPU = "/home/u/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64";
    static final String USER_LIB = "/opt/libtorch/lib";
    static final Map<String, String> CUDA_ENV = Map.of("PYTORCH_LIBRARY_PATH", USER_LIB, "PYTORCH_VERSION", "2.7.1",
            "PYTORCH_FLAVOR", "cu128");
    static final CudartStatus ONE_GPU = CudartStatus.ok(12080, 12080, 1);

    /**
     * @param name what the case is
     * @param env environment variables
     * @param props system properties
     * @param engineError libtorch load failure, or null
     * @param libtorchPath where libtorch was loaded from
     * @param cudaBuild whether that libtorch is a CUDA build
     * @param cudart runtime status
     * @param engineHasCuda what libtorch reports
     * @param problem the expected diagnosis (null: GPU usable)
     * @param reasonStart the expected start of {@link CudaFacts#whyNoGpu()}
     */
    record Scenario(String name, Map<String, String> env, Properties props, String engineError, String libtorchPath,
            boolean cudaBuild, CudartStatus cudart, boolean engineHasCuda, GpuProblem problem, String reasonStart) {
        CudaFacts facts() {
            return new CudaFacts(NativeSettings.read(env, props), cudart, engineError, libtorchPath, cudaBuild, engineHasCuda);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    static Map<String, String> env(Map<String, String> base, String... kv) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Scenario> scenarios() {
        Map<String, String> none = Map.of();
        return List.of(
            new Scenario("default build, no CUDA anywhere", none, props(), null, BUNDLED_CPU, false,
                    CudartStatus.notLoaded(), false, GpuProblem.CPU_LIBTORCH, "the loaded libtorch is the CPU build"),
            new Scenario("default build on a GPU machine", none, props(), null, BUNDLED_CPU, false, ONE_GPU, false,
                    GpuProblem.CPU_LIBTORCH, "the loaded libtorch is the CPU build (" + BUNDLED_CPU + ")"),
            new Scenario("PYTORCH_FLAVOR=cu128 without a library path", env(none, "PYTORCH_FLAVOR", "cu128"), props(),
                    null, BUNDLED_CPU, false, ONE_GPU, false, GpuProblem.FLAVOR_MISMATCH,
                    "PYTORCH_FLAVOR=cu128 has no effect without PYTORCH_LIBRARY_PATH"),
            new Scenario("-DPYTORCH_FLAVOR=cu128 without a library path", none, props("PYTORCH_FLAVOR", "cu128"),
                    null, BUNDLED_CPU, false, ONE_GPU, false, GpuProblem.FLAVOR_MISMATCH,
                    "PYTORCH_FLAVOR=cu128 has no effect without PYTORCH_LIBRARY_PATH"),
            new Scenario("PYTORCH_LIBRARY_PATH as a system property", env(none, "PYTORCH_FLAVOR", "cu128"),
                    props("PYTORCH_LIBRARY_PATH", USER_LIB), null, BUNDLED_CPU, false, ONE_GPU, false,
                    GpuProblem.FLAVOR_MISMATCH, "PYTORCH_LIBRARY_PATH is set as a Java system property, which DJL ignores"),
            new Scenario("library path without libtorch.so", env(CUDA_ENV, "PYTORCH_LIBRARY_PATH", "/opt/empty"),
                    props(), null, BUNDLED_CPU, false, ONE_GPU, false, GpuProblem.FLAVOR_MISMATCH,
                    "PYTORCH_LIBRARY_PATH=/opt/empty holds no libtorch.so, so DJL ignored it and loaded the bundled cpu libtorch"),
            new Scenario("cu128 flavor on a CPU libtorch", CUDA_ENV, props(), null, USER_LIB, false, ONE_GPU, false,
                    GpuProblem.FLAVOR_MISMATCH, "PYTORCH_FLAVOR=cu128 but the libtorch in " + USER_LIB + " is a CPU build"),
            new Scenario("CUDA libtorch with PYTORCH_FLAVOR=cpu", env(CUDA_ENV, "PYTORCH_FLAVOR", "cpu"), props(), null,
                    USER_LIB, true, ONE_GPU, false, GpuProblem.FLAVOR_MISMATCH,
                    "the libtorch in " + USER_LIB + " is a CUDA build but the flavor is cpu, so DJL paired it with a CPU JNI"),
            new Scenario("unpublished flavor cu121", env(CUDA_ENV, "PYTORCH_FLAVOR", "cu121"), props(), null, USER_LIB,
                    true, ONE_GPU, true, GpuProblem.FLAVOR_MISMATCH,
                    "PYTORCH_FLAVOR=cu121, but DJL 0.36 publishes its PyTorch 2.7.1 JNI library only for cpu and cu128"),
            new Scenario("library path without PYTORCH_FLAVOR: DJL wants cpu-precxx11",
                    Map.of("PYTORCH_LIBRARY_PATH", USER_LIB), props(), "PyTorch jni not found: "
                    + "/jnilib/linux-x86_64/cpu-precxx11/libdjl_torch.so", null, false, ONE_GPU, false,
                    GpuProblem.ENGINE_NOT_LOADED, "libtorch could not be loaded: PyTorch jni not found: "
                    + "/jnilib/linux-x86_64/cpu-precxx11/libdjl_torch.so (PYTORCH_LIBRARY_PATH is set but PYTORCH_FLAVOR is not"),
            new Scenario("PYTORCH_VERSION other than 2.7.1, offline", Map.of("PYTORCH_VERSION", "2.5.1"), props(),
                    "Offline mode is enabled.", null, false, ONE_GPU, false, GpuProblem.ENGINE_NOT_LOADED,
                    "libtorch could not be loaded: Offline mode is enabled. (PYTORCH_VERSION=2.5.1 differs from 2.7.1"),
            new Scenario("CUDA libtorch, no libcudart", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.notLoaded(), false, GpuProblem.NO_CUDART, "libcudart (the CUDA runtime) is not on the library path"),
            new Scenario("CUDA libtorch, no driver", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.failed(12080, 0, 35, "cudaErrorInsufficientDriver"), false, GpuProblem.NO_DRIVER,
                    "no NVIDIA driver is visible to this process: the CUDA runtime 12.8 is installed but libcuda.so.1"),
            new Scenario("CUDA libtorch, driver stub only", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.failed(12080, 0, 34, "cudaErrorStubLibrary"), false, GpuProblem.NO_DRIVER,
                    "no NVIDIA driver is visible to this process: the CUDA runtime 12.8 is installed but only the driver's stub"),
            new Scenario("CUDA libtorch, driver older than the runtime", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.failed(12080, 12020, 35, "cudaErrorInsufficientDriver"), false, GpuProblem.DRIVER_TOO_OLD,
                    "the NVIDIA driver is too old: it supports CUDA up to 12.2 but the CUDA runtime is 12.8"),
            new Scenario("CUDA 11 driver for libtorch cu128", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.ok(11080, 11080, 1), false, GpuProblem.DRIVER_TOO_OLD,
                    "the NVIDIA driver is too old: it supports CUDA up to 11.8 but libtorch cu128 needs a CUDA 12 driver"),
            new Scenario("CUDA_VISIBLE_DEVICES empty", env(CUDA_ENV, "CUDA_VISIBLE_DEVICES", ""), props(), null, USER_LIB,
                    true, CudartStatus.failed(12080, 12080, 100, "cudaErrorNoDevice"), false, GpuProblem.NO_DEVICE,
                    "the NVIDIA driver (CUDA 12.8) and runtime 12.8 work but report no GPU; CUDA_VISIBLE_DEVICES='' hides every GPU"),
            new Scenario("zero devices without an error", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.ok(12080, 12080, 0), false, GpuProblem.NO_DEVICE,
                    "the NVIDIA driver (CUDA 12.8) and runtime 12.8 work but report no GPU (in Docker"),
            new Scenario("device access not permitted", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.failed(12080, 12080, 800, "cudaErrorNotPermitted"), false, GpuProblem.CUDA_INIT_FAILED,
                    "CUDA failed to initialise: cudaErrorNotPermitted (800)"),
            new Scenario("all fine but libtorch says no CUDA", CUDA_ENV, props(), null, USER_LIB, true, ONE_GPU, false,
                    GpuProblem.LIBTORCH_CUDA_UNAVAILABLE, "libtorch cu128 (" + USER_LIB + ") loaded and the CUDA runtime 12.8 sees 1 GPU(s)"),
            new Scenario("the CUDA route, env", CUDA_ENV, props(), null, USER_LIB, true, ONE_GPU, true, null, null),
            new Scenario("the CUDA route, flavor and version as properties", Map.of("PYTORCH_LIBRARY_PATH", USER_LIB),
                    props("PYTORCH_FLAVOR", "cu128", "PYTORCH_VERSION", "2.7.1"), null, USER_LIB, true, ONE_GPU, true, null, null),
            new Scenario("the CUDA route, library path naming libtorch.so itself",
                    env(CUDA_ENV, "PYTORCH_LIBRARY_PATH", USER_LIB + "/libtorch.so"), props(), null, USER_LIB, true,
                    ONE_GPU, true, null, null),
            new Scenario("the CUDA route, newer CUDA 12 driver", CUDA_ENV, props(), null, USER_LIB, true,
                    CudartStatus.ok(12080, 12090, 2), true, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void diagnosis(Scenario s) {
        CudaFacts f = s.facts();
        assertThat(f.problem()).isEqualTo(s.problem());
        if (s.problem() == null) {
            assertThat(f.whyNoGpu()).isNull();
        } else {
            assertThat(f.whyNoGpu()).startsWith(s.reasonStart()).doesNotContain("\n");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void autoPicksCudaExactlyWhenUsableAndSaysWhyOtherwise(Scenario s) {
        CudaFacts f = s.facts();
        if (s.problem() == GpuProblem.ENGINE_NOT_LOADED) {
            assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("auto"), f))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessage("--device auto cannot be used: " + f.whyNoGpu());
            return;
        }
        DeviceChoice c = DeviceChoice.decide(DeviceRequest.parse("auto"), f);
        if (s.problem() == null) {
            assertThat(c.device()).isEqualTo(Device.gpu(0));
            assertThat(c.reason()).isEqualTo("auto: " + f.gpuCount() + " GPU(s) usable with CUDA 12.8 (libtorch cu128), using cuda:0");
        } else {
            assertThat(c.device()).isEqualTo(Device.cpu());
            assertThat(c.reason()).isEqualTo("auto: no usable GPU (" + f.whyNoGpu() + "); using CPU");
            // the log line is short: the problem's label, not the diagnosis
            assertThat(c.summary()).isEqualTo("auto: no usable GPU (" + s.problem().label() + "; 'gaplab info' says why); using CPU")
                    .hasSizeLessThan(110);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void cpuIsAlwaysHonouredWhenLibtorchLoaded(Scenario s) {
        CudaFacts f = s.facts();
        if (s.problem() == GpuProblem.ENGINE_NOT_LOADED) {
            assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("cpu"), f))
                    .hasMessageStartingWith("--device cpu cannot be used: libtorch could not be loaded: ");
        } else {
            DeviceChoice c = DeviceChoice.decide(DeviceRequest.parse("cpu"), f);
            assertThat(c.device()).isEqualTo(Device.cpu());
            assertThat(c.reason()).isEqualTo("cpu: requested");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void cudaIsRefusedWithTheReasonNeverSilentlyReplaced(Scenario s) {
        CudaFacts f = s.facts();
        if (s.problem() == null) {
            DeviceChoice c = DeviceChoice.decide(DeviceRequest.parse("cuda"), f);
            assertThat(c.device()).isEqualTo(Device.gpu(0));
            assertThat(c.reason()).isEqualTo("cuda: requested, CUDA 12.8 with libtorch cu128");
        } else if (s.problem() == GpuProblem.ENGINE_NOT_LOADED) {
            assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("cuda"), f))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessage("--device cuda:0 cannot be used: " + f.whyNoGpu());
        } else {
            assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("cuda"), f))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessage("CUDA was requested (--device cuda:0) but cannot be used: " + f.whyNoGpu());
        }
    }

    @Test
    void exactTextWhenCudaIsRequestedOnTheDefaultBuildOfAMachineWithoutADriver() {
        CudaFacts f = new CudaFacts(NativeSettings.read(Map.of(), props()),
                CudartStatus.failed(13000, 0, 35, "cudaErrorInsufficientDriver"), null, BUNDLED_CPU, false, false);
        assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("cuda"), f)).hasMessage(
                "CUDA was requested (--device cuda:0) but cannot be used: the loaded libtorch is the CPU build ("
                + BUNDLED_CPU + "), which has no CUDA support; use the CUDA Docker image, or set "
                + "PYTORCH_LIBRARY_PATH=<libtorch 2.7.1 cu128>/lib, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128 and "
                + "build with -Pgpu; besides, no NVIDIA driver is visible to this process: the CUDA runtime 13.0 is "
                + "installed but libcuda.so.1 (the driver) was not found [cudaErrorInsufficientDriver (35)]; install "
                + "the NVIDIA driver, or in Docker run with --gpus all (NVIDIA Container Toolkit)");
    }

    @Test
    void exactTextWhenTheDriverIsMissingUnderACudaLibtorch() {
        CudaFacts f = new CudaFacts(NativeSettings.read(CUDA_ENV, props()),
                CudartStatus.failed(12080, 0, 35, "cudaErrorInsufficientDriver"), null, USER_LIB, true, false);
        assertThat(f.whyNoGpu()).isEqualTo("no NVIDIA driver is visible to this process: the CUDA runtime 12.8 is "
                + "installed but libcuda.so.1 (the driver) was not found [cudaErrorInsufficientDriver (35)]; install "
                + "the NVIDIA driver, or in Docker run with --gpus all (NVIDIA Container Toolkit)");
    }

    @Test
    void indexBeyondTheVisibleGpusIsRefusedNamingTheRange() {
        CudaFacts f = new CudaFacts(NativeSettings.read(CUDA_ENV, props()), CudartStatus.ok(12080, 12080, 2), null,
                USER_LIB, true, true);
        assertThat(DeviceChoice.decide(DeviceRequest.parse("cuda:1"), f).device()).isEqualTo(Device.gpu(1));
        assertThatThrownBy(() -> DeviceChoice.decide(DeviceRequest.parse("cuda:2"), f))
                .isInstanceOf(DeviceUnavailableException.class)
                .hasMessage("--device cuda:2 was requested but only 2 GPU(s) are visible (cuda:0..1)");
    }

    @Test
    void cpuOnlyFactsAreTheDefaultBuildWithoutCuda() {
        CudaFacts f = CudaFacts.cpuOnly();
        assertThat(f.cudartFound()).isFalse();
        assertThat(f.gpuCount()).isZero();
        assertThat(f.flavor()).isEqualTo("cpu");
        assertThat(f.problem()).isEqualTo(GpuProblem.CPU_LIBTORCH);
    }
}
