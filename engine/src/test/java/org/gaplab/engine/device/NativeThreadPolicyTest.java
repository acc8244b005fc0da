package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The in-process OpenMP wait policy: the decision on its own, and its effect on the OpenMP
 * runtime libtorch loads, read from the runtime itself ({@code OMP_DISPLAY_ENV=VERBOSE} makes
 * libgomp print the spin count it chose: 0 for the passive policy, 300000 by default).
 */
class NativeThreadPolicyTest {
    @Test
    void setsWhatIsUnsetAndKeepsWhatTheUserSet() {
        Map<String, String> written = new HashMap<>();
        var o = NativeThreadPolicy.decide(Map.of("OMP_WAIT_POLICY", "ACTIVE"), false, (k, v) -> written.put(k, v) == null);
        assertThat(o.kept()).containsExactly(Map.entry("OMP_WAIT_POLICY", "ACTIVE"));
        assertThat(o.set()).containsExactly(Map.entry("KMP_BLOCKTIME", "0"));
        assertThat(written).isEqualTo(Map.of("KMP_BLOCKTIME", "0"));
        assertThat(o.describe()).isEqualTo("KMP_BLOCKTIME=0 (set in-process) OMP_WAIT_POLICY=ACTIVE (from the environment)");
    }

    @Test
    void tooLateOnceTheRuntimeIsLoadedAndSaysSo() {
        var o = NativeThreadPolicy.decide(Map.of(), true, (k, v) -> {
            throw new AssertionError("must not write " + k);
        });
        assertThat(o.set()).isEmpty();
        assertThat(o.note()).contains("already loaded");
    }

    @Test
    void aFailedWriteIsReported() {
        var o = NativeThreadPolicy.decide(Map.of(), false, (k, v) -> false);
        assertThat(o.set()).isEmpty();
        assertThat(o.note()).startsWith("could not set");
    }

    @Test
    void libtorchsOpenMpRuntimeStopsSpinningWithNoEnvironmentVariable() throws Exception {
        assertThat(spinCountInChild(true)).isEqualTo("0");
        // the control: the same child without the policy spins (libgomp's default)
        assertThat(spinCountInChild(false)).isNotEqualTo("0");
    }

    private static String spinCountInChild(boolean apply) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", Child.class.getName(),
                Boolean.toString(apply)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("KMP_BLOCKTIME");
        pb.environment().remove("GOMP_SPINCOUNT");
        pb.environment().put("OMP_DISPLAY_ENV", "VERBOSE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        var m = java.util.regex.Pattern.compile("GOMP_SPINCOUNT = '(\\d+)'").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group(1);
    }

    /** Loads libtorch (and so its OpenMP runtime), with or without the policy first. */
    public static final class Child {
        public static void main(String[] args) {
            if (Boolean.parseBoolean(args[0])) {
                NativeThreadPolicy.apply();
            }
            try (NDManager m = NDManager.newBaseManager()) {
                m.ones(new Shape(64, 64)).matMul(m.ones(new Shape(64, 64))).sum().getFloat();
            }
        }
    }
}
