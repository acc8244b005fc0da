package org.gaplab.engine.cli;

import ai.djl.engine.Engine;

import org.gaplab.engine.device.CudaFacts;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.report.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab info}: versions, native flavor, devices, and what {@code --device auto} would pick. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show gaplab, DJL, PyTorch and CUDA versions, the libtorch flavor, visible devices",
            "with memory, and the device '--device auto' would pick (with the reason)."})
public final class InfoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        common.apply();
        Map<String, Object> info = collect();
        if (json) {
            System.out.println(Json.pretty(info));
        } else {
            info.forEach((k, v) -> System.out.printf("%-16s %s%n", k, v));
        }
        return ExitCodes.OK;
    }

    /** @return the facts shown by this command, in display order */
    public static Map<String, Object> collect() {
        Engine engine = Engine.getInstance();
        CudaFacts facts = DeviceProbe.facts();
        DeviceChoice auto = DeviceChoice.decide(DeviceRequest.parse("auto"), facts);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("schema_version", 1);
        info.put("gaplab", GaplabCli.gaplabVersion());
        info.put("djl", Engine.getDjlVersion());
        info.put("engine", engine.getEngineName());
        info.put("pytorch", engine.getVersion());
        info.put("flavor", facts.flavor());
        info.put("libtorch_path", facts.libtorchPath());
        info.put("cuda_runtime", facts.cudaVersion());
        info.put("engine_has_cuda", facts.engineHasCuda());
        info.put("gpu_count", facts.gpuCount());
        List<DeviceProbe.DeviceInfo> gpus = DeviceProbe.gpus(facts);
        info.put("gpus", gpus);
        info.put("auto_device", auto.device().toString());
        info.put("auto_reason", auto.reason());
        info.put("java", System.getProperty("java.version"));
        info.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        info.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        return info;
    }
}
