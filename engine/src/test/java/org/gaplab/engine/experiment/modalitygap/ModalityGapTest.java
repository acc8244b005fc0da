package org.gaplab.engine.experiment.modalitygap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.engine.experiment.FigureFiles;
import org.gaplab.engine.experiment.Reproduce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ModalityGapTest {
    @TempDir
    Path dir;

    @Test
    void quickRunWritesEveryOutputWithSaneValues() throws Exception {
        ModalityGapConfig c = new ModalityGapConfig(List.of(0.0, 0.7), 2, 100, 64, 1000, 300, 1, 0.7, 0);
        Reproduce.onCpu(new ModalityGapExperiment(), c, dir);
        JsonNode doc = Json.MAPPER.readTree(dir.resolve("modality_gap.json").toFile());
        assertThat(doc.path("schema_version").asInt()).isEqualTo(1);
        assertThat(doc.path("runs")).hasSize(4);
        assertThat(doc.path("per_sigma")).hasSize(2);
        for (JsonNode run : doc.path("runs")) {
            // J is a sum of two KLs; the ceiling with eps = 1e-8 and n = 1000 is about 2 ln(1000 / 1e-8) = 50.6
            assertThat(run.path("jeffreys").asDouble()).isBetween(0.0, 51.0);
            assertThat(run.path("centroid_gap").asDouble()).isBetween(0.0, 2.0);
            // an unbiased U-statistic on two independent halves: centred on 0 for equal laws, so it
            // may dip slightly below 0, never below -E||X - X'|| (at most 2 on the circle)
            assertThat(run.path("energy_distance").asDouble()).isBetween(-0.05, 4.0);
            assertThat(run.path("mean_pair_cosine").asDouble()).isBetween(-1.0, 1.0);
        }
        JsonNode s0 = doc.path("per_sigma").get(0);
        assertThat(s0.path("median_j").asDouble()).isBetween(s0.path("q25_j").asDouble(), s0.path("q75_j").asDouble());
        // the identity-encoder control separates the marginals more at sigma = 0.7 than at 0
        assertThat(doc.path("per_sigma").get(1).path("control_j").asDouble()).isGreaterThan(s0.path("control_j").asDouble());
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("grows with sigma").contains("| 0.70 |");
        assertThat(Files.readAllLines(dir.resolve("runs.csv"))).hasSize(5);
        for (String f : List.of("gap_curve", "centroid_energy", "polar_densities", "joint_angles", "angle_shift")) {
            FigureFiles.assertValid(dir.resolve(f));
        }
    }

    @Test
    void quantilesAndRankCorrelationMatchHandValues() {
        assertThat(ModalityGap.quantile(new double[] {4, 1, 3, 2}, 0.5)).isCloseTo(2.5, within(1e-12));
        assertThat(ModalityGap.quantile(new double[] {1, 2, 3, 4, 5}, 0.25)).isCloseTo(2.0, within(1e-12));
    }
}
