package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPU workstation's download route, as far as it can be checked without a GPU or network:
 * {@code GAPLAB_NATIVE=download} makes the launcher build without the bundled CPU natives (the
 * {@code gpu} profile, whose dependencies lack {@code pytorch-native-cpu}) and run with DJL's
 * offline mode off, while the default stays offline with the CPU natives.
 */
class NativeRouteLauncherTest {
    private static final Path ROOT = root();

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("gaplab"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with the gaplab launcher) not found");
        }
        return p;
    }

    private record Launch(int exit, String output) {}

    private static Launch dryRun(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", ROOT.resolve("gaplab").toString(), "info"))
                .redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        for (String k : List.of("GAPLAB_NATIVE", "PYTORCH_LIBRARY_PATH", "PYTORCH_FLAVOR", "PYTORCH_VERSION", "GAPLAB_CLASSPATH")) {
            e.remove(k);
        }
        e.put("GAPLAB_LAUNCH_DRY_RUN", "1");
        e.putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Launch(p.exitValue(), out);
    }

    @Test
    void theDefaultIsOfflineWithTheBundledCpuNatives() throws Exception {
        Launch l = dryRun(Map.of());
        assertThat(l.exit()).as(l.output()).isZero();
        assertThat(l.output()).contains("profile=cpu native=bundled").contains("-Dai.djl.offline=true");
    }

    @Test
    void theDownloadRouteDropsTheCpuNativesAndOfflineMode() throws Exception {
        Launch l = dryRun(Map.of("GAPLAB_NATIVE", "download"));
        assertThat(l.exit()).as(l.output()).isZero();
        assertThat(l.output()).contains("profile=gpu native=download").contains("-Dai.djl.offline=false")
                .doesNotContain("-Dai.djl.offline=true");
    }

    /** The dry run prints the command the launcher runs, so the class-path form is checked too. */
    @Test
    void theDownloadRouteHoldsWithExtraJarsOnTheClassPath() throws Exception {
        Launch l = dryRun(Map.of("GAPLAB_NATIVE", "download", "GAPLAB_CLASSPATH", "/opt/my-experiment.jar"));
        assertThat(l.exit()).as(l.output()).isZero();
        assertThat(l.output()).contains("DJL_OFFLINE=false").contains("-Dai.djl.offline=false")
                .contains("-cp").contains("/opt/my-experiment.jar").doesNotContain("offline=true");
    }

    @Test
    void anUnknownRouteIsAOneLineErrorWithExitTwo() throws Exception {
        Launch l = dryRun(Map.of("GAPLAB_NATIVE", "fetch"));
        assertThat(l.exit()).isEqualTo(2);
        assertThat(l.output().strip().lines()).hasSize(1);
        assertThat(l.output()).contains("GAPLAB_NATIVE must be 'bundled'");
    }

    /** The gpu profile (which the download route builds with) must not bring the CPU natives; only the default cpu profile does. */
    @Test
    void onlyTheDefaultProfileBringsTheCpuNatives() throws Exception {
        String pom = Files.readString(ROOT.resolve("engine/pom.xml"));
        Matcher profiles = Pattern.compile("<profile>\\s*<id>([^<]+)</id>(.*?)</profile>", Pattern.DOTALL).matcher(pom);
        int withNatives = 0;
        while (profiles.find()) {
            if (profiles.group(2).contains("pytorch-native-cpu")) {
                assertThat(profiles.group(1)).isEqualTo("cpu");
                assertThat(profiles.group(2)).contains("<activeByDefault>true</activeByDefault>");
                withNatives++;
            }
        }
        assertThat(withNatives).isOne();
        String outside = pom.replaceAll("(?s)<profiles>.*?</profiles>", "");
        assertThat(outside).doesNotContain("pytorch-native-cpu");
        // any other activated profile in the engine's pom (by OS, property, file or JDK) would
        // switch the activeByDefault one off: the cpu profile's is the only activation
        assertThat(Pattern.compile("<activation>").matcher(pom).results().count()).isOne();
    }
}
