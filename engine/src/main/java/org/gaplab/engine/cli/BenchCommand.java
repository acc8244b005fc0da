package org.gaplab.engine.cli;

import ai.djl.Device;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceEnvironment;
import org.gaplab.engine.train.Trainer;
import org.gaplab.engine.train.TrainingLoop;
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
            "Case 'gemm' times only the plain matrix products of one 'large' step (both towers forward",
            "and backward, and the logits), with nothing else: the floor a 'large' step cannot beat;",
            "it prints their rate in GFLOP/s.",
            "The 'details' line names the CPU (vendor, model) and the BLAS path: libtorch's MKL, the",
            "kernel branch it chose, and whether gaplab let it choose by CPU features on a non-Intel",
            "CPU (GAPLAB_MKL_CPU_FEATURES=off turns that off, to compare).",
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
                System.out.printf("%-8s K=%-4s B=%-5s %8.1f steps/s  %7.3f ms/step  %10.1f run-steps/s  (CPU %.1f ms/step)%s%n", r.get("case"),
                        r.get("runs"), r.get("batch"), r.get("steps_per_second"), r.get("ms_per_step"), r.get("run_steps_per_second"),
                        r.get("cpu_ms_per_step"),
                        r.containsKey("gflop_per_second") ? String.format("  %.1f GFLOP/s", (Double) r.get("gflop_per_second")) : "");
            }
        }
        return ExitCodes.OK;
    }

    /**
     * The matrix products of one step of an MLP case, timed alone: per tower the forward products
     * {@code [B, in] x [in, out]} of every layer and the backward ones ({@code h^T g} for every
     * weight, {@code g W^T} for every layer but the first), then the logits' three
     * {@code B x B x d}-sized products (the closed-form loss: the logits, then {@code W z2} and
     * {@code W^T z1} with the folded softmax weights W).
     */
    private Map<String, Object> gemmFloor(RunConfig c, Device dev) {
        int b = c.batchSize();
        List<long[]> shapes = new ArrayList<>();           // {m, k, n}: [m, k] x [k, n]
        for (TowerConfig t : List.of(c.model().tower1(), c.model().tower2())) {
            List<Integer> widths = new ArrayList<>(t.hidden());
            widths.add(t.outputDim());
            int in = t.inputDim();
            for (int i = 0; i < widths.size(); i++) {
                int out = widths.get(i);
                shapes.add(new long[] {b, in, out});       // forward
                shapes.add(new long[] {in, b, out});       // dL/dW = h^T g
                if (i > 0) {
                    shapes.add(new long[] {b, out, in});   // dL/dh = g W^T
                }
                in = out;
            }
        }
        int d = c.model().tower1().outputDim();
        shapes.add(new long[] {b, d + 1, b});
        shapes.add(new long[] {d, b, b});
        shapes.add(new long[] {d, b, b});
        double flops = shapes.stream().mapToDouble(s -> 2.0 * s[0] * s[1] * s[2]).sum();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(dev)) {
            List<ai.djl.ndarray.NDArray[]> operands = new ArrayList<>();
            for (long[] s : shapes) {
                operands.add(new ai.djl.ndarray.NDArray[] {m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(s[0], s[1])),
                    m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(s[1], s[2]))});
            }
            long t0 = 0;
            long cpu0 = 0;
            for (int i = 0; i < warmup + steps; i++) {
                if (i == warmup) {
                    t0 = System.nanoTime();
                    cpu0 = processCpuNanos();
                }
                try (ai.djl.ndarray.NDManager scope = m.newSubManager()) {
                    for (ai.djl.ndarray.NDArray[] ab : operands) {
                        ab[0].matMul(ab[1]).attach(scope);
                    }
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuSecs = (processCpuNanos() - cpu0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("case", "gemm");
            r.put("runs", 1);
            r.put("batch", b);
            r.put("products_per_step", shapes.size());
            r.put("gflop_per_step", flops / 1e9);
            r.put("steps", steps);
            r.put("seconds", secs);
            r.put("steps_per_second", steps / secs);
            r.put("ms_per_step", 1000 * secs / steps);
            r.put("cpu_ms_per_step", 1000 * cpuSecs / steps);
            r.put("run_steps_per_second", steps / secs);
            r.put("gflop_per_second", flops * steps / secs / 1e9);
            return r;
        }
    }

    /**
     * CPU time of the whole process (all threads, libtorch's included), less sensitive than wall
     * time to other processes on shared cores.
     */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** @return the config of a named case */
    static RunConfig caseConfig(String name) {
        RunConfig base = RunConfig.defaults();
        switch (name) {
            case "default":
                return base;
            case "large":
            case "gemm":
                TowerConfig t = TowerConfig.mlp(2, List.of(512, 512), 64, Activation.RELU);
                return base.withBatchSize(1024).withModel(DualEncoderConfig.paperDefault().withTowers(t, t));
            default:
                throw new UserException("--case: unknown case '" + name + "' (known: default, large, gemm)");
        }
    }

    private Map<String, Object> runCase(String name, Device dev) {
        if (name.equals("gemm")) {
            return gemmFloor(caseConfig(name), dev);
        }
        RunConfig c = caseConfig(name).withSteps(warmup + steps);
        List<RunConfig> stack = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            stack.add(c.withSeed(k));
        }
        try (Trainer t = new Trainer(stack, dev)) {
            // the training loop with no listeners: untimed warm-up, then the timed steps
            TrainingLoop.run(t, warmup, Math.max(1, warmup), List.of());
            long cpu0 = processCpuNanos();
            // one drain, at the last step: it syncs with the device, so the timing covers all queued work
            double secs = TrainingLoop.run(t, warmup + steps, steps, List.of()).seconds();
            double cpuSecs = (processCpuNanos() - cpu0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("case", name);
            r.put("runs", runs);
            r.put("batch", c.batchSize());
            r.put("parameters_per_run", c.model().tower1().parameterCount() + c.model().tower2().parameterCount());
            r.put("steps", steps);
            r.put("seconds", secs);
            r.put("steps_per_second", steps / secs);
            r.put("ms_per_step", 1000 * secs / steps);
            r.put("cpu_ms_per_step", 1000 * cpuSecs / steps);
            r.put("run_steps_per_second", (double) steps * runs / secs);
            return r;
        }
    }
}
