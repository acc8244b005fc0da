package org.gaplab.gputests;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class or method only when DJL can use a GPU in this process; otherwise JUnit reports
 * it skipped with the reason from {@link org.gaplab.engine.device.CudaFacts#whyNoGpu()} (no
 * cudart, no driver, driver too old, CPU libtorch, flavor mismatch, ...). With
 * {@code -Dgaplab.requireGpu=true} (set by the {@code gpu} profile) a missing GPU fails the tests
 * instead, so a GPU runner that lost its GPU cannot pass by skipping everything.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(CudaCondition.class)
public @interface RequiresCuda {}
