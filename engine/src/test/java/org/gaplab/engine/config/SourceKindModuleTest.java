package org.gaplab.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;

import org.gaplab.core.Json;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.SourceConfig;
import org.junit.jupiter.api.Test;

/** The core module's mappers learn data.kind from the engine's Jackson module, found on the class path. */
class SourceKindModuleTest {
    @Test
    void theMappersRegisterExactlyTheEnginesModule() {
        // another module on the class path would change how every file is read and written
        assertThat(Json.MAPPER.getRegisteredModuleIds()).containsExactly("gaplab-source-kinds");
        assertThat(Json.YAML.getRegisteredModuleIds()).containsExactly("gaplab-source-kinds");
    }

    @Test
    void kindSelectsTheRecordBothWays() throws Exception {
        SourceConfig c = CircleMixtureConfig.paper(0.25);
        String json = Json.line(c);
        assertThat(json).contains("\"kind\":\"" + c.kind() + "\"");
        assertThat(Json.MAPPER.readValue(json, SourceConfig.class)).isEqualTo(c);
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"kind\":\"nope\"}", SourceConfig.class))
                .isInstanceOf(InvalidTypeIdException.class).hasMessageContaining("unknown source kind 'nope'");
    }
}
