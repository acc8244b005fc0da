package org.gaplab.engine.config;

import org.gaplab.core.Checks;

/**
 * The fixed evaluation set, drawn from the run's own "eval" seed stream.
 *
 * @param size number of evaluation pairs (the paper: 8000)
 */
public record EvalConfig(int size) {
    /** Validates. */
    public EvalConfig {
        Checks.check(size >= 2, "size", "must be >= 2, got " + size);
    }
}
