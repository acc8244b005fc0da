package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** Issue 17: memory admission refuses up front, and a collapsed run is a divergence (exit 3). */
class AdmissionAndCollapseTest {
    @TempDir
    Path dir;

    @Test
    void workOverTheMemoryBudgetIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = dir.resolve("big");
        // whole-graph autograd holds several [B, B] arrays: 10 x 8192^2 x 4 bytes
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--memory-budget", "256m", "--set", "batch_size=8192",
                "--set", "loss.closed_form=false", "--set", "eval.size=100",
                "--out", out.toString());
        RefusalTest.assertRefused(o, "lower batch_size");
        assertThat(o.err()).contains("over the budget of 256.0 MiB (--memory-budget)");
        assertThat(out).doesNotExist();
        RefusalTest.assertRefused(CliTest.gaplab("train", "--device", "cpu", "--memory-budget", "4g", "--set",
                "eval.size=2000000000", "--out", out.toString()), "lower eval.size");
        assertThat(out).doesNotExist();
        RefusalTest.assertRefused(CliTest.gaplab("bench", "--device", "cpu", "--memory-budget", "4g", "--runs", "100000",
                "--steps", "1", "--case", "default"), "lower batch_size or --runs");
        RefusalTest.assertRefused(CliTest.gaplab("train", "--memory-budget", "lots", "--set", "steps=5"), "expected a size");
    }

    @Test
    void measureRefusesAnNThatDoesNotFit() throws Exception {
        Path run = dir.resolve("r");
        CliTest.Outcome t = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=10", "--set", "eval.size=100",
                "--out", run.toString());
        assertThat(t.code()).as(t.err()).isZero();
        RefusalTest.assertRefused(CliTest.gaplab("measure", "--device", "cpu", "--memory-budget", "4g", "--run", run.toString(),
                "--n", "2000000000"), "lower --n");
    }

    /** The lr = 1e30 run: weights overflow, every embedding becomes 0, gradients vanish. */
    @Test
    void aCollapsedRunStopsWithExitThreeAndSaysWhy() throws Exception {
        for (String optimizer : new String[] {"adam", "sgd"}) {
            Path out = dir.resolve("collapse-" + optimizer);
            CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--json", "--set", "optim.lr=1e30", "--set",
                    "optim.kind=" + optimizer, "--set", "steps=400", "--set", "schedule.log_every=50", "--set", "eval.size=100",
                    "--out", out.toString());
            assertThat(o.code()).as(optimizer + ": " + o.err()).isEqualTo(ExitCodes.DIVERGED);
            assertThat(Json.MAPPER.readTree(o.out()).path("status").asText()).isEqualTo("diverged");
            JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
            assertThat(summary.path("status").asText()).isEqualTo("diverged");
            assertThat(summary.path("reason").asText()).as(optimizer).containsAnyOf("collapse", "NaN/infinite");
            // it stopped before the first checkpoint (step 500), and says so instead of promising one
            assertThat(o.err()).contains("none was written").doesNotContain("last good checkpoint is kept");
            assertThat(out.resolve("checkpoint.ckpt")).doesNotExist();
        }
    }

    /** The same command at a sane learning rate completes: the collapse check can read both ways. */
    @Test
    void aHealthyRunIsNotFlagged() throws Exception {
        Path out = dir.resolve("healthy");
        CliTest.Outcome o = CliTest.gaplab("train", "--device", "cpu", "--set", "steps=400", "--set", "schedule.log_every=50",
                "--set", "eval.size=100", "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("status").asText()).isEqualTo("completed");
        assertThat(summary.has("reason")).isFalse();
    }
}
