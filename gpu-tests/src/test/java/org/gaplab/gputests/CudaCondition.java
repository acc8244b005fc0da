package org.gaplab.gputests;

import org.gaplab.engine.device.CudaFacts;
import org.gaplab.engine.device.DeviceProbe;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresCuda}; the probe runs once per JVM. */
public final class CudaCondition implements ExecutionCondition {
    /** System property that turns "no GPU" from a skip into a failure. */
    public static final String REQUIRE_GPU = "gaplab.requireGpu";

    private static volatile CudaFacts facts;
    private static volatile boolean announced;

    /** @return this JVM's facts, probed on first use */
    public static CudaFacts facts() {
        CudaFacts f = facts;
        if (f == null) {
            synchronized (CudaCondition.class) {
                if (facts == null) {
                    facts = DeviceProbe.facts();
                }
                f = facts;
            }
        }
        return f;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        ConditionEvaluationResult r = evaluate(facts(), Boolean.getBoolean(REQUIRE_GPU));
        if (r.isDisabled() && !announced) {
            announced = true;
            // once per JVM on the console, since Maven's summary shows only the count of skipped tests
            System.err.println("[gpu-tests] skipping CUDA tests: " + r.getReason().orElse(""));
        }
        return r;
    }

    /**
     * @param f what the process sees
     * @param requireGpu whether a missing GPU is an error rather than a skip
     * @return enabled when a GPU is usable, else disabled with the reason
     * @throws IllegalStateException when {@code requireGpu} and no GPU is usable
     */
    static ConditionEvaluationResult evaluate(CudaFacts f, boolean requireGpu) {
        String why = f.whyNoGpu();
        if (why == null) {
            return ConditionEvaluationResult.enabled("CUDA usable: " + f.gpuCount() + " GPU(s), CUDA runtime "
                    + f.cudaVersion() + ", libtorch " + f.flavor());
        }
        if (requireGpu) {
            throw new IllegalStateException("-D" + REQUIRE_GPU + "=true but no usable GPU: " + why);
        }
        return ConditionEvaluationResult.disabled("no usable GPU: " + why);
    }
}
