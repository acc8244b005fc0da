package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a class's {@code main} in a fresh JVM on this test's class path, for settings that act only
 * at process start or on the whole process (the OpenMP and allocator policies).
 */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * @param main the class to run
     * @param env edits to the child's environment (a copy of this one)
     * @param pattern what to find in its output
     * @param args its arguments
     * @return the pattern's first group; fails the test if the child fails or prints no match
     */
    static String run(Class<?> main, Consumer<Map<String, String>> env, String pattern, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env.accept(pb.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile(pattern).matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group(1);
    }
}
