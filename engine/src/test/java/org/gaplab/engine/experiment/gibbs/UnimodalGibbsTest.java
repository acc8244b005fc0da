package org.gaplab.engine.experiment.gibbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.experiment.FigureFiles;
import org.gaplab.engine.experiment.Reproduce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Gibbs reference against docs/theory.md's known answers, and the quick particle run end to end. */
class UnimodalGibbsTest {
    private static final double[] TAUS = {10, 5, 2.5, 1, 0.5, 0.2, 0.1};
    /** docs/theory.md section 4: cap masses under rho* (Monte Carlo with 2M points, +-0.002). */
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

    /**
     * The closed-form objective and gradient used in training against autograd through the plain
     * objective, in float64 (docs/theory.md section 7's loss). The particles include an antipodal pair,
     * a pair a few 1e-3 rad apart (just outside the clamp, where 1/sin d is large) and norms far
     * from 1; self-pairs sit on the clamp, where the closed form must give autograd's zero.
     */
    @Test
    void closedFormGradientMatchesAutogradInFloat64() {
        assertClosedFormMatchesAutograd(false, SphereKde.CLAMP, 1e-10);
    }

    /**
     * Distinct particles closer than the clamp (an exact duplicate direction and a pair 1e-4 rad
     * apart) get the gradient of the unclamped kernel: it equals autograd through an objective
     * whose clamp (1e-12) leaves those pairs inside, up to the change of their kernel values
     * (d = 1.4e-3 instead of 1e-4: measured 6e-7 of the scale). Zeroing those pairs, as autograd
     * through the 1e-6 clamp does, is off by 4e-6 of the scale, outside the 2e-6 allowed.
     */
    @Test
    void nearDuplicatesGetTheUnclampedGradient() {
        assertClosedFormMatchesAutograd(true, 1e-12, 2e-6);
    }

    private static void assertClosedFormMatchesAutograd(boolean nearDuplicates, double clamp, double rtol) {
        int k = 3;
        int m = 40;
        TwoWellPotential u = TwoWellPotential.paperDefault();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            manager.getEngine().setRandomSeed(7);
            NDArray v = manager.randomNormal(new Shape(k, m, 3), DataType.FLOAT64);
            double[] host = v.toDoubleArray();
            for (int r = 0; r < k; r++) {
                int o = r * m * 3;
                for (int d = 0; d < 3; d++) {
                    host[o + 9 + d] = -0.3 * host[o + 6 + d];                     // particle 3 antipodal to 2
                    if (nearDuplicates) {
                        host[o + 3 + d] = 2.5 * host[o + d];                      // particle 1 = particle 0 direction
                    }
                }
                if (nearDuplicates) {
                    host[o + 12] = host[o + 15] + 1e-4;                           // particle 4 next to 5
                    host[o + 13] = host[o + 16];
                    host[o + 14] = host[o + 17];
                }
                // particle 7 about 4e-3 rad from 6: a tangential step of 0.004 |v_6| along v_6 x e3
                double n6 = Math.sqrt(host[o + 18] * host[o + 18] + host[o + 19] * host[o + 19] + host[o + 20] * host[o + 20]);
                double t = Math.hypot(host[o + 18], host[o + 19]);
                host[o + 21] = host[o + 18] + 0.004 * n6 * host[o + 19] / t;
                host[o + 22] = host[o + 19] - 0.004 * n6 * host[o + 18] / t;
                host[o + 23] = host[o + 20];
            }
            v = manager.create(host, new Shape(k, m, 3));
            NDArray invTau = manager.create(new double[] {0.1, 1, 10});

            SphereKde.ValueAndGradient closed = UnimodalGibbs.objectiveAndGradient(v, invTau, u, 0.35);
            v.setRequiresGradient(true);
            NDArray j;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                j = UnimodalGibbs.objective(v, invTau, u, 0.35, clamp);
                gc.backward(j.sum());
            }
            double[] want = v.getGradient().toDoubleArray();
            double[] got = closed.gradient().toDoubleArray();
            assertThat(closed.gradient().getDataType()).isEqualTo(DataType.FLOAT64);
            double scale = 0;
            for (double w : want) {
                scale = Math.max(scale, Math.abs(w));
            }
            assertThat(scale).isGreaterThan(1e-3);
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as("dJ/dv[%d]", i).isCloseTo(want[i], within(rtol * scale));
            }
            double[] jWant = j.toDoubleArray();
            double[] jGot = closed.value().toDoubleArray();
            for (int r = 0; r < k; r++) {
                assertThat(jGot[r]).isCloseTo(jWant[r], within(rtol * Math.abs(jWant[r])));
            }
        }
    }

    /**
     * The particle match test (issue 4): the 14 runs of the quick config trained as one stacked
     * chunk and one at a time (same initial v, same noise) end at the same objective, cap mass and
     * particles after 50 steps, to float32 rounding.
     */
    @Test
    void stackedParticleRunsMatchSequentialRuns(@TempDir Path out) {
        UnimodalGibbsConfig c = UnimodalGibbsConfig.quick().withSteps(50).withSeeds(2);
        Reproduce.onCpu(new UnimodalGibbsExperiment(), c.withRunsPerChunk(14), out.resolve("stacked"));
        Reproduce.onCpu(new UnimodalGibbsExperiment(), c.withRunsPerChunk(1), out.resolve("alone"));
        UnimodalGibbs.UnimodalGibbsResult stacked = UnimodalGibbsReport.read(out.resolve("stacked/unimodal_gibbs.json"));
        UnimodalGibbs.UnimodalGibbsResult alone = UnimodalGibbsReport.read(out.resolve("alone/unimodal_gibbs.json"));
        for (int t = 0; t < c.taus().size(); t++) {
            for (int s = 0; s < c.seeds(); s++) {
                assertThat(stacked.objective()[t][s]).as("J tau %s seed %d", c.taus().get(t), s)
                        .isCloseTo(alone.objective()[t][s], within(1e-4 * Math.abs(alone.objective()[t][s])));
                assertThat(stacked.capMass()[t][s]).isEqualTo(alone.capMass()[t][s]);
            }
            for (int i = 0; i < c.particles(); i++) {
                for (int d = 0; d < 3; d++) {
                    assertThat(stacked.representative()[t][i][d]).as("tau %s particle %d", c.taus().get(t), i)
                            .isCloseTo(alone.representative()[t][i][d], within(1e-4));
                }
            }
        }
    }

    @Test
    void quickRunWritesSaneJsonCsvFiguresAndSummary(@TempDir Path out) throws Exception {
        UnimodalGibbsConfig c = UnimodalGibbsConfig.quick();
        Reproduce.onCpu(new UnimodalGibbsExperiment(), c, out);

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
        assertThat(doc.get("claims")).hasSize(2);
        assertThat(Files.readAllLines(out.resolve("cap_mass.csv"))).hasSize(1 + n);
        assertThat(Files.readAllLines(out.resolve("kl.csv"))).hasSize(1 + n);
        assertThat(Files.readString(out.resolve("summary.md"))).contains("## Claims", "Gibbs");
        FigureFiles.assertValid(out.resolve("cap_mass"));
        FigureFiles.assertValid(out.resolve("kl"));
        FigureFiles.assertValid(out.resolve("sphere_tau_0_1"));
        FigureFiles.assertValid(out.resolve("sphere_tau_10"));

        // an earlier run's outputs can be rewritten from its JSON alone, to the same tables and verdicts
        Path again = out.resolve("rewritten");
        UnimodalGibbsReport.write(UnimodalGibbsReport.read(out.resolve("unimodal_gibbs.json")), again);
        for (String f : new String[] {"summary.md", "cap_mass.csv", "kl.csv"}) {
            assertThat(Files.readString(again.resolve(f))).as(f).isEqualTo(Files.readString(out.resolve(f)));
        }
        Files.writeString(again.resolve("unimodal_gibbs.json"), "{\"experiment\": \"corruption\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UnimodalGibbsReport.read(again.resolve("unimodal_gibbs.json")))
                .isInstanceOf(UserException.class).hasMessageContaining("not the output of a unimodal-gibbs run");
    }
}
