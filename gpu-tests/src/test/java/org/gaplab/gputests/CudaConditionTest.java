package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.gaplab.engine.device.CudaFacts;
import org.gaplab.engine.device.CudartStatus;
import org.gaplab.engine.device.NativeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** The skip logic itself; runs everywhere, GPU or not. */
class CudaConditionTest {
    private static final NativeSettings CUDA_ENV = new NativeSettings("/opt/libtorch/lib", null, "2.7.1", "cu128", null);

    @Test
    void usableGpuEnablesAndSaysWhatItFound() {
        CudaFacts f = new CudaFacts(CUDA_ENV, CudartStatus.ok(12080, 12080, 2), null, "/opt/libtorch/lib", true, true);
        ConditionEvaluationResult r = CudaCondition.evaluate(f, true);
        assertThat(r.isDisabled()).isFalse();
        assertThat(r.getReason()).contains("CUDA usable: 2 GPU(s), CUDA runtime 12.8, libtorch cu128");
    }

    @Test
    void noGpuSkipsWithTheDiagnosedReason() {
        CudaFacts f = new CudaFacts(CUDA_ENV, CudartStatus.failed(12080, 0, 35, "cudaErrorInsufficientDriver"), null,
                "/opt/libtorch/lib", true, false);
        ConditionEvaluationResult r = CudaCondition.evaluate(f, false);
        assertThat(r.isDisabled()).isTrue();
        assertThat(r.getReason()).contains("no usable GPU: " + f.whyNoGpu());
        assertThat(r.getReason().orElseThrow()).contains("no NVIDIA driver is visible");
    }

    @Test
    void noGpuFailsWhenAGpuIsRequired() {
        assertThatThrownBy(() -> CudaCondition.evaluate(CudaFacts.cpuOnly(), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("-Dgaplab.requireGpu=true but no usable GPU: the loaded libtorch is the CPU build");
    }

    @Test
    void thisJvmIsSkippedExactlyWhenTheProbeFindsNoGpu() {
        CudaFacts f = CudaCondition.facts();
        boolean require = Boolean.getBoolean(CudaCondition.REQUIRE_GPU);
        if (f.whyNoGpu() != null && require) {
            assertThatThrownBy(() -> CudaCondition.evaluate(f, true)).hasMessageContaining(f.whyNoGpu());
            return;
        }
        ConditionEvaluationResult r = CudaCondition.evaluate(f, require);
        assertThat(r.isDisabled()).isEqualTo(f.whyNoGpu() != null);
        if (r.isDisabled()) {
            assertThat(r.getReason()).contains("no usable GPU: " + f.whyNoGpu());
        }
    }
}
