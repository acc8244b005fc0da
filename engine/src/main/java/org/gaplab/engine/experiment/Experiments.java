package org.gaplab.engine.experiment;

import org.gaplab.engine.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of the paper's reproductions, in the order {@code gaplab reproduce --help} lists them. */
public final class Experiments {
    private static final Map<String, Experiment<?>> ALL = new LinkedHashMap<>();

    static {
        for (Experiment<?> e : List.<Experiment<?>>of(new ModalityGap.Declaration(), new GradConsistency.Declaration(),
                new UnimodalGibbs.Declaration(), new CorruptionStudy.Declaration(), new GapControl.Declaration(),
                new AlignedStart.Declaration(), new Sharpening.Declaration(), new GibbsLimit.Declaration())) {
            ALL.put(e.name(), e);
        }
    }

    private Experiments() {}

    /** @return every experiment by name */
    public static Map<String, Experiment<?>> all() {
        return java.util.Collections.unmodifiableMap(ALL);
    }

    /**
     * @param name an experiment's name
     * @return the experiment
     * @throws ConfigException naming the known experiments when there is none of that name
     */
    public static Experiment<?> get(String name) {
        Experiment<?> e = ALL.get(name);
        if (e == null) {
            throw new ConfigException("unknown experiment '" + name + "' (known: " + String.join(", ", ALL.keySet()) + ")");
        }
        return e;
    }
}
