package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Every entry point composes its listeners in the one order {@link TrainingListeners} documents. */
class TrainingListenersTest {
    private static TrainingListener named() {
        return new TrainingListener() {};
    }

    @Test
    void buildPutsTheListenersInTheOneOrderWhateverOrderTheyAreGiven() {
        TrainingListener outputs = named();
        TrainingListener divergence = named();
        TrainingListener metrics = named();
        TrainingListener progress = named();
        TrainingListener own1 = named();
        TrainingListener own2 = named();
        TrainingListener checkpoints = named();
        StopSignal stop = StopSignal.none();
        List<TrainingListener> all = TrainingListeners.builder().optStop(stop).optCheckpoints(checkpoints).optListener(own1)
                .optProgress(progress).optListener(own2).optMetrics(metrics).setDivergence(divergence).optOutputs(outputs).build();
        assertThat(all).containsExactly(outputs, divergence, metrics, progress, own1, own2, checkpoints, stop);
    }

    @Test
    void unsetSlotsAreLeftOut() {
        TrainingListener own = named();
        assertThat(TrainingListeners.builder().optListener(own).build()).containsExactly(own);
    }

    @Test
    void aStackedSetWithoutCheckpointHasDivergenceProgressAndStop() {
        DivergenceCheck.PerRun divergence = new DivergenceCheck.PerRun(3);
        StopSignal stop = StopSignal.none();
        List<TrainingListener> all = TrainingListeners.stacked(divergence, n -> {}, null).optStop(stop).build();
        assertThat(all).hasSize(3);
        assertThat(all.get(0)).isSameAs(divergence);
        assertThat(all.get(2)).isSameAs(stop);
        assertThat(TrainingListeners.stacked(divergence, n -> {}, java.nio.file.Path.of("c.ckpt")).build().get(2))
                .isInstanceOf(CheckpointListener.class);
    }
}
