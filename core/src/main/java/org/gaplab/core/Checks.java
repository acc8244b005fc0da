package org.gaplab.core;

/**
 * Argument checks for configuration records. Each failure is a {@link UserException} (bad input,
 * exit 2) whose message starts with the offending field name, so a config loader can prefix the
 * full key.
 */
public final class Checks {
    private Checks() {}

    /** Fails with {@code "field: message"} unless {@code condition} holds. */
    public static void check(boolean condition, String field, String message) {
        if (!condition) {
            throw new UserException(field + ": " + message);
        }
    }

    /** Requires a non-null value. */
    public static void notNull(Object value, String field) {
        check(value != null, field, "is required");
    }

    /** Requires {@code value >= 1}. */
    public static void positive(long value, String field) {
        check(value >= 1, field, "must be >= 1, got " + value);
    }

    /** Requires a finite {@code value > 0}. */
    public static void positive(double value, String field) {
        check(Double.isFinite(value) && value > 0, field, (Double.isFinite(value) ? "" : "must be a finite number; ")
                + "must be > 0, got " + value);
    }

    /** Requires a finite {@code value >= 0}. */
    public static void nonNegative(double value, String field) {
        check(Double.isFinite(value) && value >= 0, field, (Double.isFinite(value) ? "" : "must be a finite number; ")
                + "must be >= 0, got " + value);
    }

    /** Requires {@code lo <= value <= hi}. */
    public static void inRange(double value, double lo, double hi, String field) {
        check(value >= lo && value <= hi, field, "must be in [" + lo + ", " + hi + "], got " + value);
    }
}
