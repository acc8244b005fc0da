package org.gaplab.engine.report;

import ai.djl.engine.Engine;

import org.gaplab.core.Version;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a result came from: versions of gaplab, DJL, PyTorch and CUDA, the device and why it was
 * chosen, the seed (and for a reproduction every root seed its config lays out), threads and the
 * native libraries' settings, the git commit of the working directory when there is one, the
 * command line, and for a training run its gradient route. Written as {@code provenance.json}
 * into every run, sweep and reproduction directory ({@link #toMap} gives its keys and their
 * order) and read back by {@link #read}.
 *
 * <p>Callers derive it from what made the result: {@link #of} collects the facts of this process
 * and device, the {@code with*} methods add what only the caller knows. It is never patched as a map.
 *
 * @param created when it was collected (ISO-8601 instant)
 * @param gaplab gaplab's version
 * @param gitSha the commit of the git checkout containing the working directory, or null
 * @param djl DJL's version
 * @param engine the DJL engine's name
 * @param pytorch the engine's (PyTorch's) version
 * @param libtorchFlavor the libtorch build (cpu, cu124, ...)
 * @param cuda the CUDA version on a GPU, else null
 * @param device the device computed on
 * @param deviceReason why that device, in one line
 * @param seed the root seed (a sweep's first seed; a reproduction's first root seed, 0 when it has none)
 * @param seeds a reproduction's root seeds, in order, or null for a run or sweep (the key is then absent)
 * @param threads intra-op CPU threads of libtorch
 * @param openmpWait the OpenMP wait policy, or null
 * @param nativeAllocator the native allocator policy, or null
 * @param cpu the CPU, in words
 * @param mklCpuFeatures MKL's CPU dispatch setting, or null
 * @param mklKernels the MKL kernel branch
 * @param java the JVM and its version
 * @param os the operating system, version and architecture
 * @param host the host name, or null
 * @param command the command line arguments
 * @param gradient a training run's gradient route and why, or null (the key is then absent)
 * @param resumed whether this is the provenance of a resumed run (the key is present only when true)
 */
public record Provenance(String created, String gaplab, String gitSha, String djl, String engine, String pytorch,
        String libtorchFlavor, String cuda, String device, String deviceReason, long seed, List<Long> seeds, String threads,
        String openmpWait, String nativeAllocator, String cpu, String mklCpuFeatures, String mklKernels, String java, String os,
        String host, List<String> command, Map<String, Object> gradient, boolean resumed) {
    /** Schema version of provenance.json. */
    public static final int SCHEMA_VERSION = 1;

    /** Copies the lists and the map, so the record cannot change under its reader. */
    public Provenance {
        seeds = seeds == null ? null : List.copyOf(seeds);
        command = command == null ? null : Collections.unmodifiableList(new ArrayList<>(command));
        gradient = gradient == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(gradient));
    }

    /**
     * The facts of this process and device.
     *
     * @param device the device choice
     * @param seed root seed (or first seed of a sweep)
     * @param command the command line arguments, for the record
     * @return the provenance, without gradient route or seed list
     */
    public static Provenance of(DeviceChoice device, long seed, List<String> command) {
        Engine engine = Engine.getInstance();
        var facts = device.device().isGpu() ? DeviceProbe.facts() : null;
        var policy = org.gaplab.engine.device.NativeThreadPolicy.current();
        var allocator = org.gaplab.engine.device.NativeAllocatorPolicy.current();
        var mkl = org.gaplab.engine.device.MklCpuFeatures.current();
        return new Provenance(Instant.now().toString(), Version.gaplab(), gitSha(Path.of("").toAbsolutePath()),
                Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(),
                facts != null ? facts.flavor() : DeviceProbe.facts().flavor(), facts != null ? facts.cudaVersion() : null,
                device.device().toString(), device.summary(), seed, null,
                System.getProperty("ai.djl.pytorch.num_threads", "default (" + Runtime.getRuntime().availableProcessors() + " cores)"),
                policy == null ? null : policy.describe(), allocator == null ? null : allocator.describe(),
                org.gaplab.engine.device.DeviceEnvironment.cpuDescription(), mkl == null ? null : mkl.describe(),
                org.gaplab.engine.device.MklCpuFeatures.kernelBranch(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                hostName(), command, null, false);
    }

    /**
     * @param plan a training run's gradient route, as {@code GradientPlan.toMap()} writes it
     * @return a copy with it
     */
    public Provenance withGradient(Map<String, Object> plan) {
        return new Provenance(created, gaplab, gitSha, djl, engine, pytorch, libtorchFlavor, cuda, device, deviceReason, seed,
                seeds, threads, openmpWait, nativeAllocator, cpu, mklCpuFeatures, mklKernels, java, os, host, command, plan, resumed);
    }

    /**
     * @param on whether the run was resumed
     * @return a copy marked so
     */
    public Provenance withResumed(boolean on) {
        return new Provenance(created, gaplab, gitSha, djl, engine, pytorch, libtorchFlavor, cuda, device, deviceReason, seed,
                seeds, threads, openmpWait, nativeAllocator, cpu, mklCpuFeatures, mklKernels, java, os, host, command, gradient, on);
    }

    /**
     * @param used the root seeds a reproduction uses, in order (see {@link #seedsOf}); {@code seed}
     *     becomes the first of them (0 when there are none)
     * @return a copy with them
     */
    public Provenance withSeeds(List<Long> used) {
        long first = used.isEmpty() ? 0 : used.get(0);
        return new Provenance(created, gaplab, gitSha, djl, engine, pytorch, libtorchFlavor, cuda, device, deviceReason, first,
                used, threads, openmpWait, nativeAllocator, cpu, mklCpuFeatures, mklKernels, java, os, host, command, gradient, resumed);
    }

    /**
     * The root seeds a reproduction's config lays out: {@code firstSeed()} (0 when the config has no
     * such component) plus 0 .. n - 1 for the largest seed count among its int components named
     * {@code seeds} or ending in {@code Seeds} (e.g. {@code digitsSeeds}). Every reproduction draws
     * its runs' root seeds this way.
     *
     * @param config a reproduction's config record
     * @return the seeds, ascending
     */
    public static List<Long> seedsOf(Record config) {
        long first = 0;
        int count = 0;
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            String name = c.getName();
            Class<?> type = c.getType();
            boolean counts = (type == int.class || type == long.class) && (name.equals("seeds") || name.endsWith("Seeds"));
            boolean firstSeed = (type == int.class || type == long.class) && name.equals("firstSeed");
            if (!counts && !firstSeed) {
                continue;
            }
            long value;
            try {
                Method accessor = c.getAccessor();
                accessor.setAccessible(true); // a config record need not be public (tests declare local ones)
                value = ((Number) accessor.invoke(config)).longValue();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + name + " of " + config.getClass().getSimpleName(), e);
            }
            if (firstSeed) {
                first = value;
            } else {
                count = (int) Math.max(count, value);
            }
        }
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(first + i);
        }
        return seeds;
    }

    /** @return the fields as {@code provenance.json} writes them, in its key order */
    public Map<String, Object> toMap() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("schema_version", SCHEMA_VERSION);
        p.put("created", created);
        p.put("gaplab", gaplab);
        p.put("git_sha", gitSha);
        p.put("djl", djl);
        p.put("engine", engine);
        p.put("pytorch", pytorch);
        p.put("libtorch_flavor", libtorchFlavor);
        p.put("cuda", cuda);
        p.put("device", device);
        p.put("device_reason", deviceReason);
        p.put("seed", seed);
        if (seeds != null) {
            p.put("seeds", seeds);
        }
        p.put("threads", threads);
        p.put("openmp_wait", openmpWait);
        p.put("native_allocator", nativeAllocator);
        p.put("cpu", cpu);
        p.put("mkl_cpu_features", mklCpuFeatures);
        p.put("mkl_kernels", mklKernels);
        p.put("java", java);
        p.put("os", os);
        p.put("host", host);
        p.put("command", command);
        if (gradient != null) {
            p.put("gradient", gradient);
        }
        if (resumed) {
            p.put("resumed", true);
        }
        return p;
    }

    /**
     * Writes {@link #toMap} as JSON (atomically, as every gaplab output).
     *
     * @param file where
     */
    public void write(Path file) {
        org.gaplab.core.Json.write(file, toMap());
    }

    /**
     * Reads a {@code provenance.json} back.
     *
     * @param file the file
     * @return its record
     * @throws org.gaplab.core.UnavailableException when it cannot be read
     */
    public static Provenance read(Path file) {
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = org.gaplab.core.Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new org.gaplab.core.UnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<Long> seeds = null;
        if (n.has("seeds")) {
            seeds = new ArrayList<>();
            for (var s : n.get("seeds")) {
                seeds.add(s.asLong());
            }
        }
        List<String> command = new ArrayList<>();
        n.path("command").forEach(c -> command.add(c.asText()));
        @SuppressWarnings("unchecked")
        Map<String, Object> gradient = n.has("gradient") ? org.gaplab.core.Json.MAPPER.convertValue(n.get("gradient"), LinkedHashMap.class) : null;
        return new Provenance(text(n, "created"), text(n, "gaplab"), text(n, "git_sha"), text(n, "djl"), text(n, "engine"),
                text(n, "pytorch"), text(n, "libtorch_flavor"), text(n, "cuda"), text(n, "device"), text(n, "device_reason"),
                n.path("seed").asLong(), seeds, text(n, "threads"), text(n, "openmp_wait"), text(n, "native_allocator"),
                text(n, "cpu"), text(n, "mkl_cpu_features"), text(n, "mkl_kernels"), text(n, "java"), text(n, "os"),
                text(n, "host"), command, gradient, n.path("resumed").asBoolean(false));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads the commit of the git checkout containing {@code dir} without running git: follows
     * {@code .git/HEAD} to a loose or packed ref.
     *
     * @return the 40-hex sha, or null when not in a git checkout
     */
    public static String gitSha(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            Path git = d.resolve(".git");
            try {
                if (Files.isRegularFile(git)) {
                    // a worktree: ".git" is a file "gitdir: <path>"
                    String line = Files.readString(git).trim();
                    if (line.startsWith("gitdir:")) {
                        git = d.resolve(line.substring(7).trim());
                    }
                }
                if (!Files.isDirectory(git)) {
                    continue;
                }
                String head = Files.readString(git.resolve("HEAD")).trim();
                if (!head.startsWith("ref:")) {
                    return head;
                }
                String ref = head.substring(4).trim();
                Path common = Files.exists(git.resolve("commondir"))
                        ? git.resolve(Files.readString(git.resolve("commondir")).trim()).normalize() : git;
                for (Path base : List.of(git, common)) {
                    Path loose = base.resolve(ref);
                    if (Files.exists(loose)) {
                        return Files.readString(loose).trim();
                    }
                    Path packed = base.resolve("packed-refs");
                    if (Files.exists(packed)) {
                        for (String l : Files.readAllLines(packed)) {
                            if (l.endsWith(" " + ref)) {
                                return l.substring(0, l.indexOf(' '));
                            }
                        }
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
