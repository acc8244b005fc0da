package org.gaplab.engine.config;

import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.datasets.SourceConfig;
import org.gaplab.datasets.paired.DigitsConfig;
import org.gaplab.datasets.paired.FilePairsConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The paired sources a config may name as {@code data.kind}, each with its default settings (a
 * config that switches kind starts from that kind's defaults).
 */
public final class SourceKinds {
    private static final Map<String, Entry> KINDS = new LinkedHashMap<>();

    static {
        register(CircleMixtureConfig.KIND, CircleMixtureConfig.class, () -> CircleMixtureConfig.paper(0.4));
        register(FilePairsConfig.KIND, FilePairsConfig.class, FilePairsConfig::defaults);
        register(DigitsConfig.KIND, DigitsConfig.class, DigitsConfig::defaults);
    }

    private SourceKinds() {}

    /** One registered source kind. */
    public record Entry(String kind, Class<? extends SourceConfig> type, Supplier<? extends SourceConfig> defaults) {}

    /**
     * Registers a source kind.
     *
     * @param kind the {@code data.kind} name
     * @param type the config record
     * @param defaults its default settings
     */
    public static synchronized void register(String kind, Class<? extends SourceConfig> type,
            Supplier<? extends SourceConfig> defaults) {
        KINDS.put(kind, new Entry(kind, type, defaults));
    }

    /** @return the registered kinds, in registration order */
    public static synchronized Map<String, Entry> all() {
        return Map.copyOf(KINDS);
    }

    /** @return the entry for a kind, or null */
    public static synchronized Entry get(String kind) {
        return KINDS.get(kind);
    }
}
