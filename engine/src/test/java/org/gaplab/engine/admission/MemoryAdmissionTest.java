package org.gaplab.engine.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;

import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

class MemoryAdmissionTest {
    private static final MemoryAdmission.Budget GIB_4 = new MemoryAdmission.Budget(4L << 30, "test");

    @Test
    void thePaperRunFitsAndTheIssuesBatchDoesNot() {
        RunConfig paper = RunConfig.defaults();
        MemoryAdmission.Estimate e = MemoryAdmission.training(List.of(paper), "runs");
        assertThat(e.bytes()).isLessThan(1L << 30);
        MemoryAdmission.admit(e, GIB_4);
        // the embedding split holds one row block of the logits at a time: B = 100,000 fits in 2 GiB (the
        // 8,000-pair evaluation, not the step, is the larger part)
        MemoryAdmission.Estimate blocked = MemoryAdmission.training(List.of(paper.withBatchSize(100_000)), "runs");
        assertThat(blocked.bytes()).isLessThan(2L << 30);
        MemoryAdmission.admit(blocked, GIB_4);
        // whole-graph autograd holds several [B, B] arrays: 10 x 4 bytes x 10^10
        MemoryAdmission.Estimate big = MemoryAdmission.training(List.of(paper.withBatchSize(100_000)
                .withLoss(new org.gaplab.engine.config.LossConfig(paper.loss().kind(), paper.loss().sigmoidBias(), false))), "runs");
        assertThat(big.bytes()).isGreaterThan(300L << 30);
        assertThat(big.largest().key()).isEqualTo("batch_size");
        assertThatThrownBy(() -> MemoryAdmission.admit(big, GIB_4)).isInstanceOf(MemoryAdmission.RefusedException.class)
                .hasMessageContaining("training would need about").hasMessageContaining("over the budget of 4.0 GiB (test)")
                .hasMessageContaining("lower batch_size").satisfies(x -> assertThat(x.getMessage()).doesNotContain("\n"));
    }

    @Test
    void termsScaleAsTheirFormulasSay() {
        RunConfig c = RunConfig.defaults().withBatchSize(4096).withEval(new EvalConfig(100));
        // whole-graph autograd: K [B, B] stacks, linear in K and quadratic in B
        RunConfig autograd = c.withLoss(new org.gaplab.engine.config.LossConfig(c.loss().kind(), c.loss().sigmoidBias(), false));
        long one = MemoryAdmission.training(autograd, 1, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        long two = MemoryAdmission.training(autograd, 2, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        long doubleBatch = MemoryAdmission.training(autograd.withBatchSize(8192), 1, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        assertThat((double) two / one).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat((double) doubleBatch / one).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.2));
        // the embedding split holds one logits block of at most the budget: doubling B at most doubles it
        long split = MemoryAdmission.training(c, 1, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        long splitDouble = MemoryAdmission.training(c.withBatchSize(8192), 1, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        assertThat(split).isLessThan(one);
        assertThat((double) splitDouble / split).isLessThan(2.1);
        // the MMD^2 penalty's closed form holds MMD_SPLIT [B, B] arrays besides the split step
        RunConfig mmd = c.withLoss(c.loss().withGapPenalty(org.gaplab.engine.config.LossConfig.GapPenalty.MMD, 10));
        long withMmd = MemoryAdmission.training(mmd, 1, "--runs").bytes() - MemoryAdmission.RUNTIME_BYTES;
        assertThat(withMmd - split).isEqualTo(MemoryAdmission.MMD_SPLIT * 4096L * 4096 * 4);
        // a huge evaluation set dominates and names eval.size
        MemoryAdmission.Estimate eval = MemoryAdmission.training(RunConfig.defaults().withEval(new EvalConfig(2_000_000_000)), 1, "--runs");
        assertThat(eval.largest().key()).isEqualTo("eval.size");
        assertThat(MemoryAdmission.measurement(RunConfig.defaults(), 2_000_000_000L, "--n").largest().key()).isEqualTo("--n");
        // K stacked runs name the option that sets K
        assertThat(MemoryAdmission.training(RunConfig.defaults(), 100_000, "--runs").largest().key()).isIn("batch_size or --runs", "--runs");
    }

    @Test
    void budgetsAndSizes() {
        assertThat(MemoryAdmission.parseSize("512m", "x")).isEqualTo(512L << 20);
        assertThat(MemoryAdmission.parseSize("8GiB", "x")).isEqualTo(8L << 30);
        assertThat(MemoryAdmission.parseSize("1.5g", "x")).isEqualTo(3L << 29);
        assertThat(MemoryAdmission.parseSize("4096", "x")).isEqualTo(4096);
        assertThatThrownBy(() -> MemoryAdmission.parseSize("-1g", "--memory-budget")).hasMessageContaining("--memory-budget");
        assertThatThrownBy(() -> MemoryAdmission.parseSize("lots", "x")).hasMessageContaining("expected a size");
        MemoryAdmission.Budget cpu = MemoryAdmission.budget(Device.cpu(), null);
        assertThat(cpu.bytes()).isEqualTo((long) (MemoryAdmission.CPU_SHARE * MemoryAdmission.physicalMemory()));
        assertThat(cpu.source()).contains("physical memory");
        assertThat(MemoryAdmission.budget(Device.cpu(), 1234L).bytes()).isEqualTo(1234);
        assertThat(MemoryAdmission.human(3L << 30)).isEqualTo("3.0 GiB");
    }
}
