package org.gaplab.engine.experiment;

import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.experiment.alignedstart.AlignedStartExperiment;
import org.gaplab.engine.experiment.corruption.CorruptionStudyExperiment;
import org.gaplab.engine.experiment.gapcontrol.GapControlExperiment;
import org.gaplab.engine.experiment.gibbs.UnimodalGibbsExperiment;
import org.gaplab.engine.experiment.gibbslimit.GibbsLimitExperiment;
import org.gaplab.engine.experiment.gradconsistency.GradConsistencyExperiment;
import org.gaplab.engine.experiment.modalitygap.ModalityGapExperiment;
import org.gaplab.engine.experiment.sharpening.SharpeningExperiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of the paper's reproductions, in the order {@code gaplab reproduce --help} lists them, and of users' experiments. */
public final class Experiments {
    private static final Map<String, Experiment<?>> ALL = new LinkedHashMap<>();

    static {
        for (Experiment<?> e : List.<Experiment<?>>of(new ModalityGapExperiment(), new GradConsistencyExperiment(),
                new UnimodalGibbsExperiment(), new CorruptionStudyExperiment(), new GapControlExperiment(),
                new AlignedStartExperiment(), new SharpeningExperiment(), new GibbsLimitExperiment())) {
            ALL.put(e.name(), e);
        }
    }

    private Experiments() {}

    /**
     * @return every experiment by name: the paper's, then those found through
     *     {@link java.util.ServiceLoader} on the context class loader (a jar with
     *     {@code META-INF/services/org.gaplab.engine.experiment.Experiment} on the classpath), which
     *     get {@code gaplab reproduce NAME}, shards, resume and merge as the built-ins do
     */
    public static Map<String, Experiment<?>> all() {
        Map<String, Experiment<?>> out = new LinkedHashMap<>(ALL);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        @SuppressWarnings("rawtypes")
        java.util.ServiceLoader<Experiment> found = java.util.ServiceLoader.load(Experiment.class,
                loader != null ? loader : Experiments.class.getClassLoader());
        for (Experiment<?> e : found) {
            Experiment<?> before = out.putIfAbsent(e.name(), e);
            if (before != null && before.getClass() != e.getClass()) {
                throw new ConfigException("experiment '" + e.name() + "' of " + e.getClass().getName() + " has the name of "
                        + before.getClass().getName() + "; give it another name()");
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * @param name an experiment's name
     * @return the experiment
     * @throws ConfigException naming the known experiments when there is none of that name
     */
    public static Experiment<?> get(String name) {
        Map<String, Experiment<?>> all = all();
        Experiment<?> e = all.get(name);
        if (e == null) {
            throw new ConfigException("unknown experiment '" + name + "' (known: " + String.join(", ", all.keySet()) + ")");
        }
        return e;
    }
}
