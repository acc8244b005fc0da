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
                    // the prebuilt target copies a host build's output, absent from a fresh clone
                    if (!"prebuilt".equals(s.name())) {
                        assertThat(ROOT.resolve(rel.isEmpty() ? "." : rel)).as("%s: COPY source %s", file, src).exists();
                    }
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
        assertThat(d.inheritedEnv(d.finalStage())).containsEntry("GAPLAB_JAR", jar.destination());
        assertThat(read(ENTRYPOINT)).contains("${GAPLAB_JAR:-" + jar.destination() + "}");
        // the prebuilt target copies the same two outputs of a host build to the same places
        Stage prebuilt = d.stage("prebuilt");
        assertThat(prebuilt).as(file + " has a prebuilt target (jars built on the host)").isNotNull();
        List<Copy> fromHost = prebuilt.all("COPY").stream().map(i -> Copy.parse(i.args())).filter(c -> c.from() == null).toList();
        assertThat(fromHost).extracting(c -> c.sources().get(0).replaceAll("/$", ""))
                .containsExactlyInAnyOrder(maven.jar(), maven.libDir());
        assertThat(fromHost).extracting(c -> c.destination().replaceAll("/$", ""))
                .containsExactlyInAnyOrder(jar.destination(), lib.destination().replaceAll("/$", ""));
        assertThat(d.lineage(prebuilt)).extracting(Stage::name).contains("runtime-base");
        assertThat(d.lineage(d.finalStage())).extracting(Stage::name).contains("runtime-base");
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
        // both runtime targets: the default (from source) and prebuilt (from host jars)
        for (Stage target : List.of(d.finalStage(), d.stage("prebuilt"))) {
            String what = file + " target " + target.name();
            String user = d.user(target);
            assertThat(user).as(what + " USER").isNotNull();
            assertThat(DockerfileModel.isRoot(user)).as(what + " runs as root").isFalse();
            // the working directory is the volume: gaplab's relative default outputs (runs/...) land
            // directly in the mounted folder, never in a nested runs/runs
            String workdir = d.inheritedWorkdir(target);
            assertThat(d.inherited(target, "VOLUME")).extracting(Instruction::args)
                    .as(what + " VOLUME is the WORKDIR").containsExactly("[\"" + workdir + "\"]");
            assertThat(d.inherited(target, "HEALTHCHECK")).as("the GPU check runs once at start, not periodically").isEmpty();
            assertThat(d.inherited(target, "ENTRYPOINT")).extracting(Instruction::args)
                    .containsExactly("[\"/usr/local/bin/gaplab-entrypoint\"]");
            assertThat(d.inherited(target, "COPY")).extracting(Instruction::args).contains(ENTRYPOINT + " /usr/local/bin/gaplab-entrypoint");
            Map<String, String> env = d.inheritedEnv(target);
            assertThat(env).containsEntry("DJL_OFFLINE", "true").containsKey("DJL_CACHE_DIR");
            String cache = env.get("DJL_CACHE_DIR");
            String cacheParent = cache.substring(0, cache.lastIndexOf('/'));
            assertThat(d.inherited(target, "RUN")).extracting(Instruction::args)
                    .as("DJL cache and working directory created and owned by the runtime user")
                    .anyMatch(a -> a.contains("mkdir -p") && a.contains(cache) && a.contains(workdir)
                            && a.contains("chown -R " + user) && a.contains(cacheParent));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/Dockerfile.cpu"})
    void buildsWithTheClassicBuilderAndBuildKitOffline(String file) throws IOException {
        String text = read(file);
        DockerfileModel d = dockerfile(file);
        // a syntax directive makes BuildKit pull a frontend image; RUN --mount fails in the classic builder
        assertThat(text.lines().takeWhile(l -> l.startsWith("#")).toList()).as(file + " parser directives")
                .noneMatch(l -> l.replace(" ", "").toLowerCase(java.util.Locale.ROOT).startsWith("#syntax="));
        assertThat(d.stages.stream().flatMap(s -> s.all("RUN").stream())).extracting(Instruction::args)
                .noneMatch(a -> a.contains("--mount"));
        // the classic builder builds every stage up to --target: prebuilt must not need the Maven stage
        assertThat(d.stage("prebuilt").index()).as(file + ": prebuilt precedes the Maven build stage")
                .isLessThan(d.stage("build").index());
        assertThat(d.lineage(d.stage("prebuilt"))).extracting(Stage::name).doesNotContain("build");
        // every base image is a build argument with a public default (or an earlier stage)
        DockerfileModel raw = DockerfileModel.parse(text.replaceAll("(?m)^ARG .*$", ""));
        for (Stage s : raw.stages) {
            if (d.stage(s.base()) == null) {
                Matcher arg = Pattern.compile("\\$\\{([A-Z_]+)}").matcher(s.base());
                assertThat(arg.matches()).as("%s: FROM %s is a build argument", file, s.base()).isTrue();
                assertThat(d.globalArgs.get(arg.group(1))).as("%s: default of %s", file, arg.group(1)).isNotBlank();
            }
        }
    }

    @Test
    void cudaImageSetsTheLibtorchRouteDjlNeeds() throws IOException {
        MavenLayout maven = MavenLayout.read();
        DockerfileModel d = dockerfile("docker/Dockerfile");
        assertThat(d.lineage(d.finalStage()).get(0).base()).startsWith("nvidia/cuda:12.8.").contains("runtime");
        Map<String, String> env = d.inheritedEnv(d.finalStage());
        assertThat(env).containsEntry("PYTORCH_VERSION", maven.pytorchVersion()).containsEntry("PYTORCH_FLAVOR", "cu128")
                .containsEntry("GAPLAB_REQUIRE_GPU", "1");
        Copy libtorch = d.inherited(d.finalStage(), "COPY").stream().map(i -> Copy.parse(i.args()))
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
        assertThat(d.inheritedEnv(d.finalStage())).doesNotContainKeys("PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR")
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
    @ValueSource(strings = {ENTRYPOINT, "docker/slurm/sweep-array.sbatch", "docker/slurm/merge.sbatch", "docker/slurm/submit.sh",
        "docker/slurm/local-cluster-test.sh", "docker/smoke-test.sh", "docker/make-debian-bases.sh", "gpu-tests/check-gpu.sh"})
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
        // every runner (Apptainer, docker run, a launcher on the node) writes the shard where merge looks
        for (String f : List.of("docker/slurm/sweep-array.sbatch", "docker/slurm/merge.sbatch")) {
            String text = read(f);
            assertThat(text).as(f).contains("  apptainer)").contains("  docker)").contains("  local)");
        }
        assertThat(s).contains("--out \"/data/sweep/shard-${SLURM_ARRAY_TASK_ID}\"")
                .contains("--out \"$runs/sweep/shard-${SLURM_ARRAY_TASK_ID}\"");
        assertThat(read("docker/slurm/merge.sbatch")).contains("merge /data/sweep --out /data/sweep-merged")
                .contains("merge \"$runs/sweep\" --out \"$runs/sweep-merged\"");
        // the containers' volume is where the image's WORKDIR is
        assertThat(dockerfile("docker/Dockerfile").inheritedWorkdir(dockerfile("docker/Dockerfile").finalStage())).isEqualTo("/data");
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
        List<String> withExceptions = List.of("**/target/", "!engine/target/lib/");
        assertThat(ignoredBy("engine/target/lib/a.jar", withExceptions)).isNull();
        assertThat(ignoredBy("engine/target/classes/A.class", withExceptions)).isEqualTo("**/target/");
        // a classic-builder-hostile Dockerfile: syntax directive, RUN --mount
        DockerfileModel mounts = DockerfileModel.parse("FROM m:1 AS build\nRUN --mount=type=cache,target=/x true");
        assertThat(mounts.stage("build").all("RUN").get(0).args()).contains("--mount");
        // lineage: a target inherits USER, VOLUME and ENV from the stages it is built on
        DockerfileModel chain = DockerfileModel.parse(String.join("\n", "FROM j:1 AS base", "USER 10001", "WORKDIR /data",
                "VOLUME [\"/runs\"]", "FROM base AS prebuilt", "ENV A=1"));
        assertThat(chain.user(chain.stage("prebuilt"))).isEqualTo("10001");
        assertThat(chain.inheritedWorkdir(chain.stage("prebuilt"))).isEqualTo("/data");
        assertThat(chain.inherited(chain.stage("prebuilt"), "VOLUME")).extracting(Instruction::args)
                .as("a volume that is not the working directory: the nesting the check catches").doesNotContain("[\"/data\"]");
        assertThat(DockerfileModel.parse("FROM x:1.0@sha256:" + "a".repeat(64)).unpinnedBases()).isEmpty();
    }

    private static List<String> dockerignore() throws IOException {
        return read(".dockerignore").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /**
     * @return the .dockerignore pattern excluding {@code rel}, or null when it is in the context.
     *     As in Docker, a pattern matches a path or one of its parents, the last matching pattern
     *     decides, and a {@code !pattern} puts the path back.
     */
    static String ignoredBy(String rel, List<String> patterns) {
        String excludedBy = null;
        for (String p : patterns) {
            boolean exception = p.startsWith("!");
            Pattern re = Pattern.compile(glob((exception ? p.substring(1) : p).replaceAll("/$", "")));
            String prefix = "";
            for (String part : rel.split("/")) {
                prefix = prefix.isEmpty() ? part : prefix + "/" + part;
                if (re.matcher(prefix).matches()) {
                    excludedBy = exception ? null : p;
                    break;
                }
            }
        }
        return excludedBy;
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
