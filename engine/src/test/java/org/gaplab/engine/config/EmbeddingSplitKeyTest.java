package org.gaplab.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code loss.embedding_split} is the key; the old {@code loss.closed_form} still reads the same. */
class EmbeddingSplitKeyTest {
    @TempDir
    Path dir;

    @Test
    void theOldKeyReadsAsTheNewOneFromOverridesFilesAndStoredConfigs() throws Exception {
        RunConfig now = ConfigLoader.load(null, List.of("loss.embedding_split=false"));
        assertThat(now.loss().embeddingSplit()).isFalse();
        assertThat(ConfigLoader.load(null, List.of("loss.closed_form=false"))).isEqualTo(now);
        Path yaml = dir.resolve("old.yaml");
        Files.writeString(yaml, "loss: {closed_form: false}\n");
        assertThat(ConfigLoader.load(yaml, List.of())).isEqualTo(now);
        // a config.json written before the rename, as a checkpoint or an experiment's output stores it
        var old = ConfigLoader.toTree(now);
        var loss = (com.fasterxml.jackson.databind.node.ObjectNode) old.get("loss");
        loss.remove("embedding_split");
        loss.put("closed_form", false);
        assertThat(ConfigLoader.fromStored(old)).isEqualTo(now);
        assertThat(Json.MAPPER.treeToValue(old, RunConfig.class)).isEqualTo(now);
    }

    @Test
    void configsAreWrittenWithTheNewKey() {
        var loss = ConfigLoader.toTree(RunConfig.defaults()).get("loss");
        assertThat(loss.has("embedding_split")).isTrue();
        assertThat(loss.has("closed_form")).isFalse();
    }
}
