package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

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
        return ChildJvm.run(Child.class, env -> {
            env.remove("OMP_WAIT_POLICY");
            env.remove("KMP_BLOCKTIME");
            env.remove("GOMP_SPINCOUNT");
            env.put("OMP_DISPLAY_ENV", "VERBOSE");
        }, "GOMP_SPINCOUNT = '(\\d+)'", Boolean.toString(apply));
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
