package org.gaplab.engine.sweep;

import org.gaplab.engine.config.ConfigException;

/**
 * Which part of a sweep a process runs: {@code index/count}, 0-based ({@code 0/1} is the whole
 * sweep). Chunk c belongs to shard {@code c mod count}.
 *
 * @param index this shard, in [0, count)
 * @param count number of shards
 */
public record Shard(int index, int count) {
    /** Validates. */
    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new ConfigException("--shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
    }

    /** Most shards a sweep or reproduction may be cut into (as many as a sweep may have points). */
    public static final int MAX_COUNT = 1_000_000;

    /** The whole sweep in one process. */
    public static final Shard ALL = new Shard(0, 1);

    /**
     * @param text {@code i/n}
     * @return the shard
     */
    public static Shard parse(String text) {
        if (text == null || !text.trim().matches("\\d+/\\d+")) {
            throw new ConfigException("--shard must look like i/n (e.g. 0/4), got '" + text + "'");
        }
        String[] p = text.trim().split("/");
        if (p[1].replaceFirst("^0+(?=.)", "").length() > 7 || Long.parseLong(p[1]) > MAX_COUNT) {
            throw new ConfigException("--shard " + text.trim() + ": n must be at most " + MAX_COUNT + " shards");
        }
        if (p[0].replaceFirst("^0+(?=.)", "").length() > 7) {
            throw new ConfigException("--shard must be i/n with 0 <= i < n, got " + text.trim());
        }
        return new Shard(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }

    /** @return whether chunk c belongs to this shard */
    public boolean owns(int chunk) {
        return chunk % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
