package org.gaplab.engine.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a run ended; written and read as its lower-case {@link #key()} ("completed", "diverged", "interrupted"). */
public enum RunStatus {
    /** All steps done. */
    COMPLETED,
    /**
     * Stopped by a NaN/infinite loss or parameters, or a collapse (zero gradients for a whole log
     * interval, zero-norm embeddings); the last good checkpoint is kept.
     */
    DIVERGED,
    /** Stopped by a signal after writing a checkpoint; resumable. */
    INTERRUPTED;

    /** @return the name as files and tables write it */
    @JsonValue
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param key a status as written ({@link #key()}, any case)
     * @return the status
     * @throws IllegalArgumentException for an unknown status
     */
    @JsonCreator
    public static RunStatus of(String key) {
        return valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }
}
