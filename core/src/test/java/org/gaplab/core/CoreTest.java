package org.gaplab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

class CoreTest {
    @TempDir
    Path dir;

    @Test
    void aFailedCheckIsBadInputNamingTheField() {
        assertThatThrownBy(() -> Checks.positive(0L, "steps")).isInstanceOf(UserException.class)
                .hasMessage("steps: must be >= 1, got 0")
                .satisfies(e -> assertThat(GaplabException.Category.of(e)).isEqualTo(GaplabException.Category.BAD_INPUT));
        assertThatThrownBy(() -> Checks.positive(Double.NaN, "tau")).hasMessageStartingWith("tau: must be a finite number");
        Checks.inRange(0.5, 0, 1, "weight"); // passes silently
    }

    @Test
    void onlyGaplabExceptionsAreSomeoneElsesProblem() {
        assertThat(new UserException("x").category().exitCode()).isEqualTo(2);
        assertThat(new UnavailableException("x").category().exitCode()).isEqualTo(2);
        assertThat(GaplabException.Category.of(new IllegalArgumentException("x"))).isEqualTo(GaplabException.Category.INTERNAL);
        assertThat(GaplabException.Category.of(new NullPointerException())).isEqualTo(GaplabException.Category.INTERNAL);
        assertThat(GaplabException.Category.INTERNAL.exitCode()).isEqualTo(1);
    }

    @Test
    void jsonWritesAtomicallyAndAnUnwritableFileIsAnUnavailableResource() throws Exception {
        Path f = dir.resolve("a/b.json");
        Json.write(f, Map.of("logit_scale", 10));
        assertThat(Json.MAPPER.readTree(f.toFile()).path("logit_scale").asInt()).isEqualTo(10);
        try (var s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("b.json"); // no temp file left
        }
        Path blocked = dir.resolve("file");
        Files.writeString(blocked, "x");
        assertThatThrownBy(() -> Json.write(blocked.resolve("under-a-file.json"), Map.of()))
                .isInstanceOf(UnavailableException.class).hasMessageStartingWith("cannot write " + blocked.resolve("under-a-file.json"));
    }

    @Test
    void seedStreamsAreIndependentAndStable() {
        assertThat(Seeds.derive(1, "data", 0)).isEqualTo(Seeds.derive(1, "data", 0))
                .isNotEqualTo(Seeds.derive(1, "init", 0)).isNotEqualTo(Seeds.derive(1, "data", 1))
                .isNotEqualTo(Seeds.derive(2, "data", 0));
        assertThat(Seeds.toEngineSeed(Long.MIN_VALUE)).isNotNegative();
    }

    @Test
    void versionIsDevWhenRunFromClasses() {
        assertThat(Version.gaplab()).isEqualTo("dev");
    }
}
