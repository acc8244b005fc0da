package org.gaplab.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.optim.OptimConfig;
import org.gaplab.models.Activation;
import org.gaplab.models.TowerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    /** The documented digits config is exactly the run the corruption study trains at p = 0. */
    @Test
    void theDigitsExampleIsTheStudyRun() {
        RunConfig c = ConfigLoader.load(Path.of("..", "examples", "digits.yaml"), List.of());
        assertThat(c).isEqualTo(org.gaplab.engine.experiment.DigitsRun.defaults());
    }

    @Test
    void noInputGivesThePaperDefaults() {
        RunConfig c = ConfigLoader.load(null, List.of());
        assertThat(c).isEqualTo(RunConfig.defaults());
        assertThat(((CircleMixtureConfig) c.data()).sigma()).isEqualTo(0.4);
        assertThat(c.model().temperature().tau()).isEqualTo(0.07);
        assertThat(c.optim().lr()).isEqualTo(5e-3);
        assertThat(c.batchSize()).isEqualTo(256);
    }

    @Test
    void yamlFileAndSetOverridesMergeOverDefaults() throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "steps: 123\ndata:\n  sigma: 0.1\noptim:\n  kind: adamw\n  weight_decay: 0.01\n");
        RunConfig c = ConfigLoader.load(f, List.of("optim.lr=1e-3", "model.tower1.kind=mlp", "model.tower1.hidden=[8, 8]",
                "model.tower1.activation=gelu", "model.temperature.learnable=true"));
        assertThat(c.steps()).isEqualTo(123);
        assertThat(((CircleMixtureConfig) c.data()).sigma()).isEqualTo(0.1);
        assertThat(((CircleMixtureConfig) c.data()).kappa()).isEqualTo(6.0);
        assertThat(c.optim().kind()).isEqualTo(OptimConfig.OptimizerKind.ADAMW);
        assertThat(c.optim().lr()).isEqualTo(1e-3);
        assertThat(c.model().tower1().kind()).isEqualTo(TowerKind.MLP);
        assertThat(c.model().tower1().hidden()).containsExactly(8, 8);
        assertThat(c.model().tower1().activation()).isEqualTo(Activation.GELU);
        assertThat(c.model().temperature().learnable()).isTrue();
    }

    @Test
    void writtenConfigReadsBackIdentically() throws Exception {
        RunConfig c = ConfigLoader.override(RunConfig.defaults(), Map.of("seed", 9, "data.sigma", 0.7));
        Path f = dir.resolve("config.json");
        var tree = ConfigLoader.toTree(c);
        tree.put("schema_version", RunConfig.SCHEMA_VERSION);
        Files.writeString(f, tree.toString());
        assertThat(ConfigLoader.read(f)).isEqualTo(c);
    }

    @Test
    void badInputIsOneLineNamingTheKeyOrFile() throws Exception {
        assertError(List.of("optim.lrr=1"), "unknown config key 'optim.lrr'");
        assertError(List.of("bogus=1"), "unknown config key 'bogus'");
        assertError(List.of("steps=abc"), "config key 'steps'");
        assertError(List.of("model.temperature.tau=0"), "model.temperature.tau: must be > 0");
        assertError(List.of("batch_size=1"), "batch_size: must be >= 2");
        assertError(List.of("optim.kind=rmsprop"), "optim.kind");
        assertError(List.of("data.kind=nope"), "unknown source 'nope'");
        assertError(List.of("steps"), "--set expects key=value");
        assertError(List.of("model.tower1.hidden=[4]"), "model.tower1.hidden: a LINEAR tower has no hidden layers");
        assertError(List.of("model.tower2.output_dim=3"), "both towers must embed into the same dimension");
        assertFileError("missing.yaml", null, "does not exist");
        assertFileError("bad.yaml", "steps: [1, 2\n", "is not valid YAML");
        assertFileError("empty.yaml", "", "is empty");
        assertFileError("list.yaml", "- 1\n- 2\n", "top level must be a mapping");
        assertFileError("run.txt", "steps: 1\n", "expected a .yaml, .yml or .json file");
        assertFileError("future.json", "{\"schema_version\": 99}", "schema_version 99");
    }

    /** Issue 17: integers stay integers, huge values and non-finite numbers name their key and bound. */
    @Test
    void strictNumbersNameTheKeyAndTheBound() {
        assertError(List.of("steps=2.5"), "config key 'steps': cannot use '2.5' as an integer");
        assertError(List.of("batch_size=1e3"), "config key 'batch_size'");
        assertError(List.of("steps=99999999999999"), "config key 'steps': 99999999999999 is out of range (at most 2147483647)");
        assertError(List.of("eval.size=99999999999"), "config key 'eval.size'");
        assertError(List.of("optim.lr=Infinity"), "optim.lr: must be a finite number; must be > 0, got Infinity");
        assertError(List.of("optim.lr=.inf"), "config key 'optim.lr'");
        assertError(List.of("optim.weight_decay=NaN"), "optim.weight_decay: must be a finite number");
        assertError(List.of("steps=0"), "steps: must be >= 1, got 0");
        assertError(List.of("optim.beta1=1"), "optim.beta1: must be in [0, 1), got 1.0");
        assertError(List.of("eval.size=1"), "eval.size: must be >= 2, got 1");
        assertError(List.of("schedule.log_every=0"), "schedule.log_every: must be >= 1, got 0");
        assertError(List.of("seed=-1"), "seed: must be >= 0, got -1");
        // a long seed is legal
        assertThat(ConfigLoader.load(null, List.of("seed=99999999999")).seed()).isEqualTo(99999999999L);
    }

    /** Issue 17: YAML and JSON parsers keep the last of two equal keys; gaplab refuses them. */
    @Test
    void duplicateKeysAreErrors() throws Exception {
        assertFileError("dup.yaml", "steps: 10\nbatch_size: 8\nsteps: 20\n", "key 'steps' is given twice");
        assertFileError("dup-nested.yaml", "optim:\n  lr: 0.1\n  lr: 0.2\n", "key 'lr' is given twice");
        assertFileError("dup.json", "{\"steps\": 10, \"steps\": 20}", "key 'steps' is given twice");
        assertError(List.of("optim={lr: 0.1, lr: 0.2}"), "key 'lr' is given twice");
    }

    private void assertError(List<String> overrides, String fragment) {
        assertThatThrownBy(() -> ConfigLoader.load(null, overrides)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(fragment).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private void assertFileError(String name, String content, String fragment) throws Exception {
        Path f = dir.resolve(name);
        if (content != null) {
            Files.writeString(f, content);
        }
        assertThatThrownBy(() -> ConfigLoader.load(f, List.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(fragment).hasMessageContaining(name)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
