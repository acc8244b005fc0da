package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;

/** {@code bench --case gemm}: the large step's matrix products alone, with their arithmetic stated. */
class BenchCommandTest {
    @Test
    void gemmFloorCountsTheLargeStepsProducts() throws Exception {
        CliTest.Outcome o = CliTest.gaplab("bench", "--json", "--device", "cpu", "--case", "gemm", "--steps", "1", "--warmup", "0");
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode c = Json.MAPPER.readTree(o.out()).path("cases").get(0);
        // per tower 2-512-512-64 at B = 1024: forward 2 B (2*512 + 512*512 + 512*64), backward
        // h^T g for all three weights and g W^T for the last two; logits B (d+1) B and two B d B
        double b = 1024;
        double tower = 2 * b * (2 * 512 + 512 * 512 + 512 * 64) * 2 + 2 * b * (512 * 512 + 512 * 64);
        double logits = 2 * b * b * 65 + 2 * (2 * b * b * 64);
        assertThat(c.path("products_per_step").asInt()).isEqualTo(19);
        assertThat(c.path("gflop_per_step").asDouble()).isCloseTo((2 * tower + logits) / 1e9, within(1e-9));
        assertThat(c.path("cpu_ms_per_step").asDouble()).isPositive();
    }
}
