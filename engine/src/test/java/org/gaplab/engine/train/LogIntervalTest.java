package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

class LogIntervalTest {
    private static int interval(int steps, int logEvery) {
        return TrainingRun.logInterval(ConfigLoader.override(RunConfig.defaults(),
                Map.of("steps", steps, "schedule.log_every", logEvery)));
    }

    @Test
    void shortRunsLogAtLeastTwentyPointsOnADivisorOfLogEvery() {
        assertThat(interval(2000, 100)).isEqualTo(100); // 20 points already
        assertThat(interval(300, 100)).isEqualTo(10);   // 30 points; 100 % 10 == 0
        assertThat(interval(300, 50)).isEqualTo(10);
        assertThat(interval(30, 10)).isEqualTo(1);
        assertThat(interval(5000, 7)).isEqualTo(7);
        assertThat(interval(100, 7)).isEqualTo(1);      // 7 is prime
    }
}
