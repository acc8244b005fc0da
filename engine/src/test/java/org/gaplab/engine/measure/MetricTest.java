package org.gaplab.engine.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.gaplab.core.UserException;
import org.gaplab.engine.experiment.EvalGeometry;
import org.gaplab.engine.experiment.ParameterStudy;
import org.gaplab.core.Json;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.train.RunStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** Metric keys are typed: a typo is a user error naming the known keys, never a silent NaN. */
class MetricTest {
    private static final SweepRow ROW = new SweepRow(0, 1, Map.of("data.sigma", 0.4), RunStatus.COMPLETED, 10,
            Map.of("final_loss", 4.2, "centroid_gap", 0.1));

    @Test
    void aMisspelledMetricIsAUserErrorListingTheKnownOnes() {
        assertThatThrownBy(() -> ROW.metric("centroid_gapp")).isInstanceOf(UserException.class)
                .hasMessageContaining("unknown metric 'centroid_gapp'").hasMessageContaining("centroid_gap, eval_loss");
        assertThatThrownBy(() -> new SweepTable(List.of(ROW)).column("jefreys")).isInstanceOf(UserException.class)
                .hasMessageContaining("jeffreys");
        ParameterStudy.Point p = ParameterStudy.summarise(new SweepTable(List.of(ROW)), "data.sigma", List.of(0.4)).get(0);
        assertThatThrownBy(() -> p.mean("final-loss")).isInstanceOf(UserException.class).hasMessageContaining("final_loss");
        assertThatThrownBy(() -> p.sd("r1")).isInstanceOf(UserException.class).hasMessageContaining("eval_r1_1to2");
    }

    @Test
    void aKnownMetricReadsItsValueOrNaNWhenTheRunLacksIt() {
        assertThat(ROW.metric("final_loss")).isEqualTo(4.2);
        assertThat(ROW.metric(Metric.CENTROID_GAP)).isEqualTo(0.1);
        // a diverged run is not evaluated: a known metric it lacks is NaN, not an error
        assertThat(ROW.metric(Metric.EVAL_LOSS)).isNaN();
        ParameterStudy.Point p = ParameterStudy.summarise(new SweepTable(List.of(ROW)), "data.sigma", List.of(0.4)).get(0);
        assertThat(p.mean("final_loss")).isEqualTo(4.2);
        assertThat(p.mean(Metric.JEFFREYS)).isNaN();
    }

    @Test
    void everyMetricThatTheMeasuresWriteIsRegistered() {
        EvalGeometry.rowMetrics().forEach(k -> assertThat(Metric.find(k)).as(k).isPresent());
        for (Metric m : Metric.values()) {
            assertThat(Metric.of(m.key())).isSameAs(m);
        }
    }

    @Test
    void theRunStatusIsWrittenAndReadInLowerCase() throws Exception {
        String line = SweepTable.jsonLine(ROW);
        assertThat(line).contains("\"status\":\"completed\"");
        assertThat(Json.MAPPER.readValue("\"diverged\"", RunStatus.class)).isEqualTo(RunStatus.DIVERGED);
        assertThat(new SweepTable(List.of(ROW)).csv()).contains(",completed,");
    }
}
