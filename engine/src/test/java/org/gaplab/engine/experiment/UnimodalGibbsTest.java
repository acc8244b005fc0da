package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.engine.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Gibbs reference against THEORY.md's known answers, and the quick particle run end to end. */
class UnimodalGibbsTest {
    private static final double[] TAUS = {10, 5, 2.5, 1, 0.5, 0.2, 0.1};
    /** THEORY.md section 4: cap masses under rho* (Monte Carlo with 2M points, +-0.002). */
    private static final double[] KNOWN = {0.129, 0.135, 0.148, 0.189, 0.262, 0.467, 0.706};

    /**
     * One million points: the Monte Carlo sd of the weighted cap mass is at most about 0.0007 (at
     * tau = 0.2; measured over 30 repeats with 500k points it was 0.0010), and a fine quadrature
     * puts the true values within 0.001 of the known answers, so 0.005 leaves over 5 sd of room
     * while the estimate takes about a second on CPU.
     */
    @Test
    void monteCarloCapMassesMatchTheKnownAnswers() {
        TwoWellPotential u = TwoWellPotential.paperDefault();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            GibbsReference.Estimate e = GibbsReference.estimate(m, u, TAUS, 0.5, 1_000_000, 100_000,
                    SphereBins.forPotential(u), 12345);
            for (int t = 0; t < TAUS.length; t++) {
                assertThat(e.capMass()[t]).as("tau %s", TAUS[t]).isCloseTo(KNOWN[t], within(0.005));
                double cells = 0;
                for (double b : e.binMass()[t]) {
                    cells += b;
                }
                assertThat(cells).isCloseTo(1, within(1e-9));
            }
        }
        assertThat(UnimodalGibbs.uniformCapMass(0.5)).isCloseTo(0.122, within(0.001));
    }

    @Test
    void quickRunWritesSaneJsonCsvFiguresAndSummary(@TempDir Path out) throws Exception {
        UnimodalGibbsConfig c = UnimodalGibbsConfig.quick();
        UnimodalGibbs.write(UnimodalGibbs.run(c, Device.cpu()), out);

        JsonNode doc = Json.MAPPER.readTree(out.resolve("unimodal_gibbs.json").toFile());
        assertThat(doc.get("schema_version").asInt()).isEqualTo(1);
        assertThat(doc.get("experiment").asText()).isEqualTo("unimodal-gibbs");
        int n = c.taus().size();
        assertThat(doc.get("taus")).hasSize(n);
        JsonNode gibbs = doc.get("gibbs").get("cap_mass");
        JsonNode trained = doc.get("trained").get("cap_mass_mean");
        assertThat(trained).hasSize(n);
        assertThat(doc.get("trained").get("cap_mass_per_seed").get(0)).hasSize(c.seeds());
        for (int t = 0; t < n; t++) {
            assertThat(gibbs.get(t).asDouble()).isBetween(0.1, 1.0);
            assertThat(trained.get(t).asDouble()).isBetween(0.0, 1.0);
            assertThat(doc.get("kl").get("particles_mean").get(t).asDouble()).isGreaterThanOrEqualTo(0.0).isFinite();
            assertThat(doc.get("trained").get("final_objective_per_seed").get(t).get(0).asDouble()).isFinite();
        }
        // even a short run concentrates: cap mass at the smallest tau far above the largest
        assertThat(trained.get(n - 1).asDouble()).isGreaterThan(trained.get(0).asDouble() + 0.3);
        assertThat(doc.get("representative_particles").get(0)).hasSize(c.particles());
        assertThat(doc.get("claims")).hasSize(3);
        assertThat(Files.readAllLines(out.resolve("cap_mass.csv"))).hasSize(1 + n);
        assertThat(Files.readAllLines(out.resolve("kl.csv"))).hasSize(1 + n);
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims", "Gibbs");
        FigureFiles.assertValid(out.resolve("cap_mass"));
        FigureFiles.assertValid(out.resolve("kl"));
        FigureFiles.assertValid(out.resolve("sphere_tau_0_1"));
        FigureFiles.assertValid(out.resolve("sphere_tau_10"));
    }
}
