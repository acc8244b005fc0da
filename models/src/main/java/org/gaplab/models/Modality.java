package org.gaplab.models;

/**
 * Which side of a {@link DualEncoder}: modality 1, embedded by tower 1, or modality 2, embedded by
 * tower 2 (e.g. images and captions).
 */
public enum Modality {
    /** Modality 1, tower 1. */
    FIRST,
    /** Modality 2, tower 2. */
    SECOND;

    /**
     * @param tower 1 or 2, as the command line and the configs number the towers
     * @return its modality
     * @throws IllegalArgumentException for any other number
     */
    public static Modality ofTower(int tower) {
        return switch (tower) {
            case 1 -> FIRST;
            case 2 -> SECOND;
            default -> throw new IllegalArgumentException("tower must be 1 or 2, got " + tower);
        };
    }
}
