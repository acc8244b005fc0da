package org.gaplab.engine.report;

import ai.djl.engine.Engine;

import org.gaplab.core.Version;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a result came from: versions of gaplab, DJL, PyTorch and CUDA, the device and why it was
 * chosen, the seed, threads, the git commit of the working directory when there is one, and the
 * command line. Written as {@code provenance.json} into every run directory.
 */
public final class Provenance {
    /** Schema version of provenance.json. */
    public static final int SCHEMA_VERSION = 1;

    private Provenance() {}

    /**
     * @param device the device choice
     * @param seed root seed (or first seed of a sweep)
     * @param command the command line arguments, for the record
     * @return an ordered map ready for JSON
     */
    public static Map<String, Object> collect(DeviceChoice device, long seed, List<String> command) {
        Engine engine = Engine.getInstance();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("schema_version", SCHEMA_VERSION);
        p.put("created", Instant.now().toString());
        p.put("gaplab", Version.gaplab());
        p.put("git_sha", gitSha(Path.of("").toAbsolutePath()));
        p.put("djl", Engine.getDjlVersion());
        p.put("engine", engine.getEngineName());
        p.put("pytorch", engine.getVersion());
        var facts = device.device().isGpu() ? DeviceProbe.facts() : null;
        p.put("libtorch_flavor", facts != null ? facts.flavor() : DeviceProbe.facts().flavor());
        p.put("cuda", facts != null ? facts.cudaVersion() : null);
        p.put("device", device.device().toString());
        p.put("device_reason", device.summary());
        p.put("seed", seed);
        p.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default (" + Runtime.getRuntime().availableProcessors() + " cores)"));
        var policy = org.gaplab.engine.device.NativeThreadPolicy.current();
        p.put("openmp_wait", policy == null ? null : policy.describe());
        var allocator = org.gaplab.engine.device.NativeAllocatorPolicy.current();
        p.put("native_allocator", allocator == null ? null : allocator.describe());
        p.put("cpu", org.gaplab.engine.device.DeviceEnvironment.cpuDescription());
        var mkl = org.gaplab.engine.device.MklCpuFeatures.current();
        p.put("mkl_cpu_features", mkl == null ? null : mkl.describe());
        p.put("mkl_kernels", org.gaplab.engine.device.MklCpuFeatures.kernelBranch());
        p.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        p.put("host", hostName());
        p.put("command", command);
        return p;
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
