package org.gaplab.engine.experiment;

import org.gaplab.engine.config.ConfigException;

import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What every paper reproduction declares the same way, written once: its name, its config record,
 * the paper's and the quick config, and how {@code --seeds} and {@code --steps} change a config. A
 * reproduction extends this and adds its description, units, {@link #runUnit} and {@link #render}.
 *
 * <p>Users' experiments may extend it too, or implement {@link Experiment} directly.
 *
 * @param <C> the config record
 */
public abstract class Reproduction<C extends Record> implements Experiment<C> {
    private final String name;
    private final Class<C> configType;
    private final Supplier<C> paper;
    private final Supplier<C> quick;
    private final BiFunction<C, Integer, C> withSeeds;
    private final BiFunction<C, Integer, C> withSteps;

    /**
     * @param name the name on the command line
     * @param configType the config record's class
     * @param paper the paper's settings
     * @param quick the quick settings
     * @param withSeeds the config with another number of seeds
     * @param withSteps the config with another number of steps ({@link #stepsDoNotApply} when it does not train)
     */
    protected Reproduction(String name, Class<C> configType, Supplier<C> paper, Supplier<C> quick, BiFunction<C, Integer, C> withSeeds,
            BiFunction<C, Integer, C> withSteps) {
        this.name = name;
        this.configType = configType;
        this.paper = paper;
        this.quick = quick;
        this.withSeeds = withSeeds;
        this.withSteps = withSteps;
    }

    /**
     * @param why the reason, the whole refusal message
     * @return a {@code withSteps} that refuses {@code --steps}
     */
    protected static <C> BiFunction<C, Integer, C> stepsDoNotApply(String why) {
        return (config, steps) -> {
            throw new ConfigException(why);
        };
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Class<C> configType() {
        return configType;
    }

    @Override
    public final C paperConfig() {
        return paper.get();
    }

    @Override
    public final C quickConfig() {
        return quick.get();
    }

    @Override
    public final C withSeeds(C config, int seeds) {
        return withSeeds.apply(config, seeds);
    }

    @Override
    public final C withSteps(C config, int steps) {
        return withSteps.apply(config, steps);
    }
}
