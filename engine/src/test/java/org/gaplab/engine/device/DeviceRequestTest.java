package org.gaplab.engine.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.gaplab.core.UserException;

class DeviceRequestTest {
    @ParameterizedTest
    @CsvSource({"auto, auto", "AUTO, auto", "cpu, cpu", "cuda, cuda:0", "gpu, cuda:0", "cuda:3, cuda:3", " GPU:1 , cuda:1"})
    void parses(String text, String expected) {
        assertThat(DeviceRequest.parse(text)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda:", "cuda:-1", "tpu", "cuda:1:2", "mps"})
    void rejectsNamingTheValue(String text) {
        assertThatThrownBy(() -> DeviceRequest.parse(text)).isInstanceOf(UserException.class)
                .hasMessage("device: expected auto, cpu, cuda or cuda:N, got '" + text + "'");
    }
}
