package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** {@code gaplab info} on this JVM (bundled CPU libtorch, no usable GPU). */
class InfoCommandTest {
    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cl = GaplabCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void requireGpuExitsTwoWithTheReasonOnOneLine() {
        Result r = run("info", "--require-gpu");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).doesNotContain("\n")
                .startsWith("gaplab: error: --require-gpu: no usable GPU: the loaded libtorch is the CPU build (");
        assertThat(r.out()).contains("gpu_problem      cpu_libtorch");
    }

    @Test
    void jsonReportsWhyNoGpuAndTheAutoDevice() throws Exception {
        Result r = run("info", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("gpu_usable").asBoolean()).isFalse();
        assertThat(j.get("gpu_problem").asText()).isEqualTo("cpu_libtorch");
        assertThat(j.get("flavor").asText()).isEqualTo("cpu");
        assertThat(j.get("auto_device").asText()).isEqualTo("cpu()");
        assertThat(j.get("why_no_gpu").asText()).startsWith("the loaded libtorch is the CPU build");
        assertThat(j.get("gpus").size()).isZero();
        assertThat(j.has("cuda_driver")).isTrue();
    }
}
