package org.gaplab.engine.config;

import org.gaplab.core.Checks;

/**
 * When the loop talks to the host and the disk.
 *
 * @param logEvery steps between metric lines (each is one host sync)
 * @param checkpointEvery steps between checkpoints; 0 = only at the end (and on SIGTERM/SIGINT)
 * @param measureEvery steps between light gap measurements into metrics.jsonl (a multiple of
 *     logEvery); 0 = none
 */
public record ScheduleConfig(int logEvery, int checkpointEvery, int measureEvery) {
    /** Validates. */
    public ScheduleConfig {
        Checks.positive(logEvery, "logEvery");
        Checks.check(checkpointEvery >= 0, "checkpointEvery", "must be >= 0, got " + checkpointEvery);
        Checks.check(measureEvery >= 0, "measureEvery", "must be >= 0, got " + measureEvery);
        Checks.check(measureEvery % logEvery == 0, "measureEvery",
                "must be a multiple of schedule.log_every (" + logEvery + "), got " + measureEvery);
    }
}
