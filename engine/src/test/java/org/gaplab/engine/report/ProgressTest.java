package org.gaplab.engine.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Issue 28: progress lines at most every 2 s, at each tenth of the work, and as a heartbeat while it lasts. */
class ProgressTest {
    private long now;

    @Test
    void linesAreTwoSecondsApartAtTenthsWithAHeartbeat() {
        List<String> lines = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        Progress p = Progress.forTest("work", 1000, () -> now, l -> {
            lines.add(l);
            at.add(now);
        });
        // a fast task: 1000 units and 20 "evaluating" calls at the end, all in 1.5 s: no line at all
        for (int i = 1; i <= 1000; i++) {
            now = i * 1_500_000L;
            p.update(i, null);
        }
        for (int i = 0; i < 20; i++) {
            p.update(1000, "evaluating");
        }
        assertThat(lines).isEmpty();

        // a slow task: 1000 units over 100 s, then 30 s of calls at the end
        now = 0;
        Progress slow = Progress.forTest("slow", 1000, () -> now, l -> {
            lines.add(l);
            at.add(now);
        });
        for (int i = 1; i <= 1000; i++) {
            now = i * 100_000_000L;                   // 0.1 s a unit
            slow.update(i, null);
        }
        for (int i = 1; i <= 300; i++) {
            now = 100_000_000_000L + i * 100_000_000L;
            slow.update(1000, "evaluating");
        }
        for (int i = 1; i < at.size(); i++) {
            assertThat(at.get(i) - at.get(i - 1)).as("gap before line %d", i).isGreaterThanOrEqualTo(2_000_000_000L);
        }
        // the first after 2 s, then each tenth (10 s of work apart here), the end, then a heartbeat every 10 s
        assertThat(lines.get(0)).startsWith("slow: 20/1000 (2%)");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("slow: 100/1000 (10%)"))
                .anySatisfy(l -> assertThat(l).startsWith("slow: 1000/1000 (100%)"));
        assertThat(lines).filteredOn(l -> l.contains("evaluating")).hasSize(3);
        assertThat(lines).hasSize(1 + 10 + 3);
    }
}
