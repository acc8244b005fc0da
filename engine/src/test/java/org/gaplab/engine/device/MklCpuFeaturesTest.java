package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * MKL's kernel choice by CPU features: the decision on its own, and in fresh processes the branch
 * MKL then chooses and the products it computes, against the same process with the fix off.
 */
class MklCpuFeaturesTest {
    /** A library that is there and loads, recording that it was loaded. */
    private static final class FakeLibrary implements MklCpuFeatures.Bundled {
        final String missing;
        final String loadError;
        int loads;

        FakeLibrary(String missing, String loadError) {
            this.missing = missing;
            this.loadError = loadError;
        }

        @Override
        public String missing() {
            return missing;
        }

        @Override
        public String loadGlobally() {
            loads++;
            return loadError;
        }
    }

    private static MklCpuFeatures.Outcome decide(Map<String, String> env, String vendor, boolean loaded, FakeLibrary lib) {
        return MklCpuFeatures.decide(env, "Linux", "amd64", vendor, loaded, lib);
    }

    @Test
    void activeOnANonIntelCpuBeforeLibtorchLoads() {
        FakeLibrary lib = new FakeLibrary(null, null);
        var o = decide(Map.of(), "AuthenticAMD", false, lib);
        assertThat(o.active()).isTrue();
        assertThat(lib.loads).isOne();
        assertThat(o.describe()).startsWith("active: AuthenticAMD CPU");
    }

    @Test
    void nothingToDoOnIntelOrOffLinuxX86() {
        FakeLibrary lib = new FakeLibrary(null, null);
        assertThat(decide(Map.of(), "GenuineIntel", false, lib).reason()).startsWith("Intel CPU");
        assertThat(MklCpuFeatures.decide(Map.of(), "Mac OS X", "aarch64", null, false, lib).reason()).startsWith("not Linux x86-64");
        assertThat(MklCpuFeatures.decide(Map.of(), "Linux", "aarch64", "ARM", false, lib).active()).isFalse();
        assertThat(decide(Map.of(), null, false, lib).reason()).startsWith("CPU vendor unknown");
        assertThat(lib.loads).isZero();
    }

    @Test
    void theEnvironmentVariableTurnsItOff() {
        FakeLibrary lib = new FakeLibrary(null, null);
        for (String off : List.of("off", "0", "false", "NO")) {
            var o = decide(Map.of(MklCpuFeatures.ENV, off), "AuthenticAMD", false, lib);
            assertThat(o.active()).isFalse();
            assertThat(o.reason()).isEqualTo("turned off by GAPLAB_MKL_CPU_FEATURES=" + off);
        }
        assertThat(decide(Map.of(MklCpuFeatures.ENV, "on"), "AuthenticAMD", false, lib).active()).isTrue();
        assertThat(lib.loads).isOne();
    }

    @Test
    void tooLateMissingOrFailingIsSaidNeverThrown() {
        var late = decide(Map.of(), "AuthenticAMD", true, new FakeLibrary(null, null));
        assertThat(late.active()).isFalse();
        assertThat(late.reason()).startsWith("failed: libtorch was loaded before");
        var missing = decide(Map.of(), "AuthenticAMD", false, new FakeLibrary("not built: no C compiler", null));
        assertThat(missing.active()).isFalse();
        assertThat(missing.reason()).isEqualTo("not built: no C compiler");
        var broken = decide(Map.of(), "HygonGenuine", false, new FakeLibrary(null, "wrong ELF class"));
        assertThat(broken.active()).isFalse();
        assertThat(broken.reason()).startsWith("failed to load the CPU-features library: wrong ELF class");
        // missing beats too late: the reason says what to fix
        var missingAndLate = decide(Map.of(), "AuthenticAMD", true, new FakeLibrary("not built: no C compiler", null));
        assertThat(missingAndLate.reason()).isEqualTo("not built: no C compiler");
    }

    @Test
    void reproducibleModeIsSetUnlessTheUserChoseOneOrItIsTooLate() {
        java.util.Map<String, String> written = new java.util.HashMap<>();
        assertThat(MklCpuFeatures.reproducibleMode(Map.of(), false, (k, v) -> written.put(k, v) == null))
                .startsWith("MKL_CBWR=AUTO (set in-process");
        assertThat(written).isEqualTo(Map.of("MKL_CBWR", "AUTO"));
        assertThat(MklCpuFeatures.reproducibleMode(Map.of("MKL_CBWR", "AVX2"), false, (k, v) -> {
            throw new AssertionError("must not overwrite " + k);
        })).isEqualTo("MKL_CBWR=AVX2 (from the environment)");
        assertThat(MklCpuFeatures.reproducibleMode(Map.of(), true, (k, v) -> {
            throw new AssertionError("too late to set " + k);
        })).isNull();
    }

    @Test
    void branchNamesFollowMklsTable() {
        assertThat(MklCpuFeatures.branchName(2)).isEqualTo("COMPATIBLE");
        assertThat(MklCpuFeatures.branchName(10)).isEqualTo("AVX2");
        assertThat(MklCpuFeatures.branchName(14)).isEqualTo("AVX512_E1");
        assertThat(MklCpuFeatures.branchName(99)).isEqualTo("branch 99");
    }

    /**
     * Two fresh processes compute the same products (float32, float64, batched), with the fix on
     * (default) and off. Their results agree within float32's bound for a sum of k products,
     * |c - c'| <= 2 k eps (|A||B|);
     * on a non-Intel x86-64 CPU with the library built, MKL's branch moves off the generic one.
     */
    @Test
    void productsAgreeWithAndWithoutAndTheBranchMoves(@TempDir Path dir) throws Exception {
        Path on = dir.resolve("on.bin");
        Path off = dir.resolve("off.bin");
        String branchOn = ChildJvm.run(Child.class, env -> env.remove(MklCpuFeatures.ENV), "kernels=(\\S+)", on.toString());
        String branchOff = ChildJvm.run(Child.class, env -> env.put(MklCpuFeatures.ENV, "off"), "kernels=(\\S+)", off.toString());
        for (int p = 0; p < 3; p++) {
            float[] a = read(Path.of(on + "." + p));
            float[] b = read(Path.of(off + "." + p));
            float[] bound = read(Path.of(on + "." + p + ".bound"));
            assertThat(a).hasSameSizeAs(b);
            // float64 products are rounded to float32 once, so float32's bound covers them too
            double eps = Math.ulp(1.0f);
            int k = Child.K;
            for (int i = 0; i < a.length; i++) {
                assertThat((double) Math.abs(a[i] - b[i])).as("product %d element %d", p, i).isLessThanOrEqualTo(2 * k * eps * bound[i]);
            }
        }
        String vendor = DeviceEnvironment.cpuVendor(Path.of("/proc/cpuinfo"));
        boolean built = MklCpuFeatures.class.getResource(MklCpuFeatures.RESOURCE) != null;
        assumeTrue(vendor != null && !vendor.equals("GenuineIntel") && built
                        && System.getProperty("os.arch").equals("amd64"),
                "MKL's branch moves only on a non-Intel x86-64 CPU with the library built (this CPU: " + vendor + ")");
        assertThat(branchOff).isEqualTo("COMPATIBLE");
        assertThat(branchOn).isNotEqualTo("COMPATIBLE");
    }

    private static float[] read(Path p) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
            int n = in.readInt();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = in.readFloat();
            }
            return v;
        }
    }

    private static void write(Path p, float[] v) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(p))) {
            out.writeInt(v.length);
            for (float x : v) {
                out.writeFloat(x);
            }
        }
    }

    /**
     * Applies gaplab's native policies, lets the garbage collector run (a collected JNA handle
     * would close the library), then computes fixed products: [M, K] x [K, N] in float32 and in
     * float64, and a batched [B, M, K] x [B, K, N] in float32, writes each with its bound |A||B|,
     * and prints MKL's branch.
     */
    public static final class Child {
        static final int M = 192;
        static final int K = 512;
        static final int N = 320;
        static final int BATCH = 3;

        public static void main(String[] args) throws IOException, InterruptedException {
            NativeThreadPolicy.apply();
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray a = m.create(fill(BATCH * M * K, 37, 101, 50, 29f), new Shape(BATCH, M, K));
                NDArray b = m.create(fill(BATCH * K * N, 53, 97, 48, 31f), new Shape(BATCH, K, N));
                NDArray a0 = a.get(0);
                NDArray b0 = b.get(0);
                List<NDArray> products = List.of(a0.matMul(b0),
                        a0.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).matMul(b0.toType(ai.djl.ndarray.types.DataType.FLOAT64, false))
                                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false),
                        a.batchMatMul(b));
                List<NDArray> bounds = List.of(a0.abs().matMul(b0.abs()), a0.abs().matMul(b0.abs()), a.abs().batchMatMul(b.abs()));
                for (int i = 0; i < products.size(); i++) {
                    write(Path.of(args[0] + "." + i), products.get(i).toFloatArray());
                    write(Path.of(args[0] + "." + i + ".bound"), bounds.get(i).toFloatArray());
                }
            }
            System.out.println("kernels=" + MklCpuFeatures.kernelBranch());
        }

        private static float[] fill(int n, int mul, int mod, int shift, float div) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = ((i * mul % mod) - shift) / div;
            }
            return v;
        }
    }
}
