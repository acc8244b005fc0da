package org.gaplab.gputests.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.gaplab.gputests.docker.DockerfileModel.Copy;
import org.gaplab.gputests.docker.DockerfileModel.Instruction;
import org.gaplab.gputests.docker.DockerfileModel.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static checks of the container files, run in CI where there is no Docker engine: what can be
 * known about a Dockerfile without building it.
 */
class DockerfileStaticCheckTest {
    private static final Path ROOT = repoRoot();
    private static final String ENTRYPOINT = "docker/entrypoint.sh";

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("docker"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with docker/) not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static String read(String rel) throws IOException {
        return Files.readString(ROOT.resolve(rel));
    }

    private static DockerfileModel dockerfile(String rel) throws IOException {
        return DockerfileModel.parse(read(rel));
    }

    /** What Maven builds: engine/target/&lt;finalName&gt;.jar and its copy-dependencies directory. */
    private record MavenLayout(String jar, String libDir, String classpathPrefix, String pytorchVersion) {
        static MavenLayout read() throws IOException {
            String engine = DockerfileStaticCheckTest.read("engine/pom.xml");
            String parent = DockerfileStaticCheckTest.read("pom.xml");
            return new MavenLayout("engine/target/" + one(engine, "<finalName>([^<]+)</finalName>") + ".jar",
                    "engine/target/" + one(engine, "<outputDirectory>\\$\\{project\\.build\\.directory}/([^<]+)</outputDirectory>"),
                    one(engine, "<classpathPrefix>([^<]+)</classpathPrefix>"),
                    one(parent, "<pytorch\\.version>([^<]+)</pytorch\\.version>"));
        }

        private static String one(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            assertThat(m.find()).as("pom has " + regex).isTrue();
            return m.group(1).trim();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void copySourcesExistAndAreInTheBuildContext(String file) throws IOException {
        DockerfileModel d = dockerfile(file);
        List<String> ignore = dockerignore();
        int copies = 0;
        for (Stage s : d.stages) {
            for (Instruction i : s.instructions()) {
                if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
                    continue;
                }
                Copy c = Copy.parse(i.args());
                if (c.from() != null) {
                    Stage from = d.stage(c.from());
                    assertThat(from).as("%s: COPY --from=%s names an earlier stage", file, c.from()).isNotNull();
                    assertThat(from.index()).as("%s: stage %s precedes its use", file, c.from()).isLessThan(s.index());
                    continue;
                }
                for (String src : c.sources()) {
                    copies++;
                    String rel = src.replaceAll("^\\./", "").replaceAll("/$", "");
                    assertThat(ROOT.resolve(rel.isEmpty() ? "." : rel)).as("%s: COPY source %s", file, src).exists();
                    assertThat(ignoredBy(rel, ignore)).as("%s: COPY source %s excluded by .dockerignore", file, src).isNull();
                }
            }
        }
        assertThat(copies).as("%s copies something from the context", file).isGreaterThan(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void jarPathsMatchWhatMavenBuilds(String file) throws IOException {
        MavenLayout maven = MavenLayout.read();
        DockerfileModel d = dockerfile(file);
        Stage build = d.stage("build");
        assertThat(build).as(file + " has a build stage").isNotNull();
        String buildDir = build.workdir().replaceAll("/$", "");
        List<Copy> fromBuild = d.finalStage().all("COPY").stream().map(i -> Copy.parse(i.args()))
                .filter(c -> "build".equals(c.from())).toList();
        Copy jar = fromBuild.stream().filter(c -> c.sources().get(0).endsWith(".jar")).findFirst().orElseThrow();
        Copy lib = fromBuild.stream().filter(c -> !c.sources().get(0).endsWith(".jar")).findFirst().orElseThrow();
        assertThat(jar.sources()).containsExactly(buildDir + "/" + maven.jar());
        assertThat(lib.sources().get(0).replaceAll("/$", "")).isEqualTo(buildDir + "/" + maven.libDir());
        // the manifest Class-Path is relative (lib/...), so lib/ must sit next to the jar
        String jarDir = jar.destination().substring(0, jar.destination().lastIndexOf('/') + 1);
        assertThat(lib.destination().endsWith("/") ? lib.destination() : lib.destination() + "/").isEqualTo(jarDir + maven.classpathPrefix());
        // and the entrypoint runs that jar
        assertThat(d.finalStage().env()).containsEntry("GAPLAB_JAR", jar.destination());
        assertThat(read(ENTRYPOINT)).contains("${GAPLAB_JAR:-" + jar.destination() + "}");
        String mvn = build.all("RUN").stream().map(Instruction::args).filter(a -> a.contains("mvn ")).findFirst().orElseThrow();
        assertThat(mvn).contains("-pl engine -am package").doesNotContain("install");
        if (file.endsWith(".cpu")) {
            assertThat(mvn).doesNotContain("-Pgpu");
        } else {
            assertThat(mvn).contains("-Pgpu");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void basesPinnedNonRootUserRunsVolumeAndNoHealthcheck(String file) throws IOException {
        DockerfileModel d = dockerfile(file);
        assertThat(d.unpinnedBases()).as(file + " unpinned base images").isEmpty();
        assertThat(d.finalUser()).as(file + " final USER").isNotNull();
        assertThat(DockerfileModel.isRoot(d.finalUser())).as(file + " runs as root").isFalse();
        Stage fin = d.finalStage();
        assertThat(fin.all("VOLUME")).extracting(Instruction::args).anyMatch(a -> a.contains("/runs"));
        assertThat(fin.all("HEALTHCHECK")).as("the GPU check runs once at start, not periodically").isEmpty();
        assertThat(fin.all("ENTRYPOINT")).extracting(Instruction::args).containsExactly("[\"/usr/local/bin/gaplab-entrypoint\"]");
        assertThat(fin.all("COPY")).extracting(Instruction::args).contains(ENTRYPOINT + " /usr/local/bin/gaplab-entrypoint");
        Map<String, String> env = fin.env();
        assertThat(env).containsEntry("DJL_OFFLINE", "true").containsKey("DJL_CACHE_DIR");
        String cache = env.get("DJL_CACHE_DIR");
        String cacheParent = cache.substring(0, cache.lastIndexOf('/'));
        assertThat(fin.all("RUN")).extracting(Instruction::args)
                .as("DJL cache created and owned by the runtime user").anyMatch(a -> a.contains("mkdir -p") && a.contains(cache)
                        && a.contains("chown -R " + d.finalUser()) && a.contains(cacheParent));
    }

    @Test
    void cudaImageSetsTheLibtorchRouteDjlNeeds() throws IOException {
        MavenLayout maven = MavenLayout.read();
        DockerfileModel d = dockerfile("docker/Dockerfile");
        assertThat(d.finalStage().base()).startsWith("nvidia/cuda:12.8.").contains("runtime");
        Map<String, String> env = d.finalStage().env();
        assertThat(env).containsEntry("PYTORCH_VERSION", maven.pytorchVersion()).containsEntry("PYTORCH_FLAVOR", "cu128")
                .containsEntry("GAPLAB_REQUIRE_GPU", "1");
        Copy libtorch = d.finalStage().all("COPY").stream().map(i -> Copy.parse(i.args()))
                .filter(c -> "libtorch".equals(c.from())).findFirst().orElseThrow();
        assertThat(env.get("PYTORCH_LIBRARY_PATH")).isEqualTo(libtorch.destination());
        // the libtorch stage unpacks exactly what is copied, and checks it is a CUDA build
        String unpack = String.join("\n", d.stage("libtorch").all("RUN").stream().map(Instruction::args).toList());
        assertThat(unpack).contains("test -f " + libtorch.sources().get(0) + "/libtorch_cuda.so");
    }

    @Test
    void cpuImageHasNoCudaAndUsesTheBundledNatives() throws IOException {
        DockerfileModel d = dockerfile("docker/Dockerfile.cpu");
        assertThat(d.stages).extracting(Stage::base).noneMatch(b -> b.contains("nvidia"));
        assertThat(d.finalStage().env()).doesNotContainKeys("PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR")
                .containsEntry("GAPLAB_REQUIRE_GPU", "0");
        assertThat(read("docker/Dockerfile.cpu")).contains("grep -q pytorch-native-cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void everyDownloadIsCheckedAgainstAChecksum(String file) throws IOException {
        DockerfileModel d = dockerfile(file);
        for (Stage s : d.stages) {
            for (Instruction i : s.all("RUN")) {
                if (i.args().matches("(?s).*\\b(curl|wget)\\b.*")) {
                    assertThat(i.args()).as(file + ": download without sha256sum -c").contains("sha256sum -c");
                }
            }
        }
    }

    @Test
    void libtorchArchiveIsTheOfficialPinnedOneAndItsChecksumIsRequired() throws IOException {
        String text = read("docker/Dockerfile");
        Matcher url = Pattern.compile("ARG LIBTORCH_URL=(\\S+)").matcher(text);
        assertThat(url.find()).isTrue();
        assertThat(url.group(1)).startsWith("https://download.pytorch.org/libtorch/cu128/").contains("2.7.1%2Bcu128.zip");
        Matcher sha = Pattern.compile("ARG LIBTORCH_SHA256=(\\S*)").matcher(text);
        assertThat(sha.find()).isTrue();
        // either a real SHA-256 is pinned, or none is and the build refuses to run without one
        if (sha.group(1).isEmpty()) {
            assertThat(text).contains("if [ -z \"${LIBTORCH_SHA256}\" ]; then").contains("exit 1");
        } else {
            assertThat(sha.group(1)).matches("[0-9a-f]{64}");
        }
        assertThat(read("docker/README.md")).contains("LIBTORCH_SHA256").contains("fails when it is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {ENTRYPOINT, "docker/slurm/sweep-array.sbatch", "docker/slurm/merge.sbatch", "docker/slurm/submit.sh"})
    void scriptsParseWithBash(String rel) throws Exception {
        Process p = new ProcessBuilder("bash", "-n", ROOT.resolve(rel).toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as("bash -n %s: %s", rel, out).isZero();
        assertThat(Files.isExecutable(ROOT.resolve(rel))).as(rel + " is executable").isTrue();
    }

    @Test
    void entrypointChecksTheGpuOnceThenExecsGaplab() throws IOException {
        String s = read(ENTRYPOINT);
        int check = s.indexOf("info --require-gpu");
        int exec = s.lastIndexOf("exec \"${java_cmd[@]}\" \"$@\"");
        assertThat(check).as("start-up GPU check").isPositive();
        assertThat(exec).as("gaplab replaces the shell (signals reach the JVM)").isGreaterThan(check);
        assertThat(s).contains("GAPLAB_REQUIRE_GPU").contains("-Dai.djl.offline=true").contains("1>&2");
    }

    @Test
    void kubernetesIndexedJobShardsByCompletionIndex() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode job = yaml.readTree(read("docker/k8s/sweep-indexed-job.yaml"));
        JsonNode spec = job.path("spec");
        assertThat(spec.path("completionMode").asText()).isEqualTo("Indexed");
        JsonNode container = spec.path("template").path("spec").path("containers").get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).startsWith("sweep").contains("--shard", "$(JOB_COMPLETION_INDEX)/$(SHARDS)");
        String shards = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("SHARDS")) {
                shards = e.path("value").asText();
            }
        }
        assertThat(shards).as("SHARDS equals completions").isEqualTo(spec.path("completions").asText());
        assertThat(container.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(spec.path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        JsonNode merge = yaml.readTree(read("docker/k8s/merge-job.yaml"));
        assertThat(merge.path("spec").path("template").path("spec").path("containers").get(0).path("args").get(0).asText())
                .isEqualTo("merge");
    }

    @Test
    void slurmArrayShardsByArrayTaskId() throws IOException {
        String s = read("docker/slurm/sweep-array.sbatch");
        assertThat(s).contains("#SBATCH --array=").contains("--shard \"${SLURM_ARRAY_TASK_ID}/${shards}\"")
                .contains("--nv").contains("#SBATCH --signal=B:TERM@");
        assertThat(read("docker/slurm/submit.sh")).contains("--dependency=\"afterok:${array_id}\"");
    }

    @Test
    void checksCatchABrokenDockerfile() {
        // negative control: the same checks flag an unpinned base, root user and a missing source
        DockerfileModel bad = DockerfileModel.parse(String.join("\n", "ARG BASE=ubuntu", "FROM ${BASE} AS a",
                "FROM a", "FROM debian:latest", "COPY no/such/file /x", "USER root"));
        assertThat(bad.unpinnedBases()).containsExactly("ubuntu", "debian:latest");
        assertThat(DockerfileModel.isRoot(bad.finalUser())).isTrue();
        assertThat(DockerfileModel.isRoot("0:0")).isTrue();
        assertThat(DockerfileModel.isRoot("10001:10001")).isFalse();
        assertThat(ROOT.resolve(Copy.parse(bad.finalStage().all("COPY").get(0).args()).sources().get(0))).doesNotExist();
        assertThat(ignoredBy("engine/target/gaplab-engine.jar", List.of("**/target/"))).isEqualTo("**/target/");
        assertThat(ignoredBy("engine/src", List.of("**/target/", ".git"))).isNull();
        assertThat(DockerfileModel.parse("FROM x:1.0@sha256:" + "a".repeat(64)).unpinnedBases()).isEmpty();
    }

    private static List<String> dockerignore() throws IOException {
        return read(".dockerignore").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** @return the .dockerignore pattern excluding {@code rel} (or one of its parents), or null */
    static String ignoredBy(String rel, List<String> patterns) {
        for (String p : patterns) {
            Pattern re = Pattern.compile(glob(p.replaceAll("/$", "")));
            String prefix = "";
            for (String part : rel.split("/")) {
                prefix = prefix.isEmpty() ? part : prefix + "/" + part;
                if (re.matcher(prefix).matches()) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String glob(String g) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (g.startsWith("**/", i)) {
                r.append("(.*/)?");
                i += 2;
            } else if (g.startsWith("**", i)) {
                r.append(".*");
                i += 1;
            } else if (c == '*') {
                r.append("[^/]*");
            } else if (c == '?') {
                r.append("[^/]");
            } else {
                r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return r.toString();
    }
}
