package org.gaplab.engine.cli;

import ai.djl.Device;

import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceEnvironment;
import org.gaplab.engine.report.Json;
import org.gaplab.engine.train.Trainer;
import org.gaplab.models.Activation;
import org.gaplab.models.DualEncoderConfig;
import org.gaplab.models.TowerConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab bench}: training throughput of the lean loop. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measure training throughput (steps/s) of the lean loop, with no run directory or eval.",
            "",
            "Cases: 'default' = the paper's step (two 2x2 linear encoders, batch 256, symmetric InfoNCE,",
            "Adam); 'large' = MLP towers 2->512->512->64 with batch 1024. With --runs K > 1 the K runs are",
            "stacked into one computation and run-steps/s is reported too.",
            "Each case runs --warmup steps, then --steps timed steps; data generation is included.",
            "Compare with the plain-PyTorch baseline run on the same machine at the same time."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption device;

    @Option(names = "--case", split = ",", defaultValue = "default,large", description = "Cases to run (default: ${DEFAULT-VALUE}).")
    List<String> cases;

    @Option(names = "--steps", defaultValue = "1000", description = "Timed steps per case (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "100", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "1", description = "Stacked runs K (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        if (steps < 1 || warmup < 0 || runs < 1) {
            throw new UserException("--steps and --runs must be >= 1 and --warmup >= 0");
        }
        common.apply(cases.stream().mapToLong(c -> caseConfig(c.trim()).workPerStep(runs)).max().orElse(0));
        DeviceChoice choice = device.choose();
        MemoryAdmission.Budget budget = MemoryAdmission.budget(choice.device(), common.memoryBudget());
        for (String c : cases) {
            MemoryAdmission.admit(MemoryAdmission.training(caseConfig(c.trim()), runs, "--runs"), budget);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (String c : cases) {
            results.add(runCase(c.trim(), choice.device()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schema_version", 1);
        out.put("device", choice.device().toString());
        out.put("device_reason", choice.summary());
        out.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        out.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        out.put("gaplab", GaplabCli.gaplabVersion());
        out.put("cases", results);
        // GPU name/memory (or CPU model) and CUDA versions, read after the cases so memory reflects them
        out.put("device_details", DeviceEnvironment.describe(choice.device()));
        if (json) {
            System.out.println(Json.pretty(out));
        } else {
            System.out.printf("device %s (%s)%n", choice.device(), choice.summary());
            System.out.printf("details %s%n", out.get("device_details"));
            for (Map<String, Object> r : results) {
                System.out.printf("%-8s K=%-4s B=%-5s %8.1f steps/s  %7.3f ms/step  %10.1f run-steps/s%n", r.get("case"),
                        r.get("runs"), r.get("batch"), r.get("steps_per_second"), r.get("ms_per_step"), r.get("run_steps_per_second"));
            }
        }
        return ExitCodes.OK;
    }

    /** @return the config of a named case */
    static RunConfig caseConfig(String name) {
        RunConfig base = RunConfig.defaults();
        switch (name) {
            case "default":
                return base;
            case "large":
                TowerConfig t = TowerConfig.mlp(2, List.of(512, 512), 64, Activation.RELU);
                return base.withBatchSize(1024).withModel(DualEncoderConfig.paperDefault().withTowers(t, t));
            default:
                throw new UserException("--case: unknown case '" + name + "' (known: default, large)");
        }
    }

    private Map<String, Object> runCase(String name, Device dev) {
        RunConfig c = caseConfig(name).withSteps(warmup + steps);
        List<RunConfig> stack = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            stack.add(c.withSeed(k));
        }
        try (Trainer t = new Trainer(stack, dev)) {
            for (int i = 0; i < warmup; i++) {
                t.step();
            }
            t.drainMetrics();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                t.step();
            }
            // the drain syncs with the device, so the timing covers all queued work
            t.drainMetrics();
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("case", name);
            r.put("runs", runs);
            r.put("batch", c.batchSize());
            r.put("parameters_per_run", c.model().tower1().parameterCount() + c.model().tower2().parameterCount());
            r.put("steps", steps);
            r.put("seconds", secs);
            r.put("steps_per_second", steps / secs);
            r.put("ms_per_step", 1000 * secs / steps);
            r.put("run_steps_per_second", (double) steps * runs / secs);
            return r;
        }
    }
}
