package org.gaplab.engine.cli;

import ai.djl.engine.Engine;

import org.gaplab.core.Json;
import org.gaplab.engine.device.CudaFacts;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceEnvironment;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.MklCpuFeatures;
import org.gaplab.engine.device.NativeRoute;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.device.DeviceUnavailableException;
import org.gaplab.engine.device.NativeSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab info}: versions, native flavor, devices, and what {@code --device auto} would pick. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show gaplab, DJL, PyTorch and CUDA versions, the libtorch flavor, visible devices",
            "with memory, why no GPU is usable (if so), and the device '--device auto' would pick.",
            "With --require-gpu it exits with code 2 and the reason unless a GPU is usable."})
public final class InfoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Option(names = "--require-gpu", description = {"After printing, exit with code 2 and the reason on stderr",
        "unless a GPU is usable (the CUDA Docker image runs this once at start-up)."})
    boolean requireGpu;

    @Override
    public Integer call() {
        common.apply();
        CudaFacts facts = DeviceProbe.facts();
        Map<String, Object> info = collect(facts);
        if (json) {
            System.out.println(Json.pretty(info));
        } else {
            info.forEach((k, v) -> System.out.printf("%-16s %s%n", k, v));
        }
        String why = facts.whyNoGpu();
        if (requireGpu && why != null) {
            throw new DeviceUnavailableException("--require-gpu: no usable GPU: " + why);
        }
        return ExitCodes.OK;
    }

    /** @return the facts shown by this command, in display order */
    public static Map<String, Object> collect() {
        return collect(DeviceProbe.facts());
    }

    /**
     * @param facts the facts of this process
     * @return the facts shown by this command, in display order; complete even when libtorch failed to load
     */
    public static Map<String, Object> collect(CudaFacts facts) {
        Engine engine = facts.engineError() == null ? Engine.getInstance() : null;
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("schema_version", 2);
        info.put("gaplab", GaplabCli.gaplabVersion());
        info.put("djl", Engine.getDjlVersion());
        info.put("engine", engine == null ? null : engine.getEngineName());
        info.put("pytorch", engine == null ? null : engine.getVersion());
        info.put("engine_error", facts.engineError());
        info.put("flavor", facts.flavor());
        info.put("libtorch_path", facts.libtorchPath());
        info.put("libtorch_cuda_build", facts.libtorchCudaBuild());
        info.put("pytorch_env", pytorchEnv(facts.settings()));
        info.put("cuda_runtime", facts.cudaVersion());
        info.put("cuda_driver", facts.cudart().driverVersionString());
        info.put("cuda_error", facts.cudart().errorName());
        info.put("engine_has_cuda", facts.engineHasCuda());
        info.put("gpu_count", facts.gpuCount());
        List<DeviceProbe.DeviceInfo> gpus = DeviceProbe.gpus(facts);
        info.put("gpus", gpus);
        info.put("gpu_usable", facts.whyNoGpu() == null);
        info.put("gpu_problem", facts.problem() == null ? null : facts.problem().name().toLowerCase(Locale.ROOT));
        info.put("why_no_gpu", facts.whyNoGpu());
        if (facts.engineError() == null) {
            DeviceChoice auto = DeviceChoice.decide(DeviceRequest.parse("auto"), facts);
            info.put("auto_device", auto.device().toString());
            info.put("auto_reason", auto.reason());
        } else {
            info.put("auto_device", null);
            info.put("auto_reason", "libtorch did not load, so no device is usable");
        }
        info.put("java", System.getProperty("java.version"));
        info.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        info.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        info.put("cpu", DeviceEnvironment.cpuDescription());
        var mkl = MklCpuFeatures.current();
        info.put("mkl_cpu_features", mkl == null ? null : mkl.describe());
        info.put("mkl_kernels", facts.engineError() == null ? MklCpuFeatures.kernelBranch() : null);
        info.put("native_route", NativeRoute.describe(facts.settings()));
        return info;
    }

    private static Map<String, Object> pytorchEnv(NativeSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PYTORCH_LIBRARY_PATH", s.libraryPath());
        m.put("PYTORCH_VERSION", s.version());
        m.put("PYTORCH_FLAVOR", s.flavor());
        m.put("CUDA_VISIBLE_DEVICES", s.visibleDevices());
        return m;
    }
}
