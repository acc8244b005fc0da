package org.gaplab.engine.experiment;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.engine.config.ConfigException;
import org.gaplab.core.Json;
import org.gaplab.engine.sweep.SweepSpec;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One of the paper's numerical validations, declared rather than wired: its name, its validated
 * config record (the paper's defaults and a quick mode), the work units a shard can take, how to
 * run one unit, and how to render the outputs (JSON numbers, CSV tables, figures, summary.md) from
 * the units' results. {@link ExperimentRunner} does the rest: config loading, sharding, resuming
 * and merging are the same for every experiment.
 *
 * <p>A unit's result is stored as JSON and read back before rendering, also in an unsharded run,
 * so the outputs of merged shards and of one process are rendered from the same numbers. A unit
 * must therefore not depend on which other units ran in the same process.
 *
 * @param <C> the config record
 */
public interface Experiment<C extends Record> {
    /** @return the name used on the command line and for the default output directory */
    String name();

    /** @return the config record's class (bound from YAML/JSON and {@code --set key=value}) */
    Class<C> configType();

    /** @return the paper's settings */
    C paperConfig();

    /** @return a reduced run that exercises the full path in seconds */
    C quickConfig();

    /** @return the help text of {@code gaplab reproduce NAME --help}, one line per entry */
    List<String> description();

    /**
     * A command-line option of this experiment alone, kept as a shorthand for one config key
     * ({@code --negatives same-mixture} is {@code --set negative_law=same_mixture}).
     *
     * @param name the option, e.g. {@code --negatives}
     * @param label its parameter label
     * @param configKey the key it sets ('-' in the value reads as '_')
     * @param description its help text
     */
    record Shorthand(String name, String label, String configKey, String description) {}

    /** @return this experiment's shorthand options (none by default) */
    default List<Shorthand> shorthands() {
        return List.of();
    }

    /**
     * Re-renders the outputs of an earlier run's result file without computing again
     * ({@code --from DIR}).
     *
     * @param from the earlier run's directory
     * @param dir where the outputs go
     * @return the JSON document
     */
    default Map<String, Object> renderFrom(Path from, Path dir) {
        throw new ConfigException("--from does not apply to " + name() + " (only unimodal-gibbs re-renders an earlier run)");
    }

    /** @return the config with another number of seeds ({@code --seeds}) */
    C withSeeds(C config, int seeds);

    /**
     * @return the config with another number of training steps ({@code --steps})
     * @throws ConfigException when the experiment does not train
     */
    C withSteps(C config, int steps);

    /** @return ids of the work units, in a fixed order that depends on the config only */
    List<String> units(C config);

    /**
     * Runs one unit.
     *
     * @param config the settings
     * @param unit one of {@link #units}
     * @param context device and output directory
     * @return a JSON-serialisable result
     */
    Object runUnit(C config, String unit, UnitContext context);

    /**
     * A sweep this experiment trains through {@link org.gaplab.engine.sweep.SweepRunner}, before its
     * own units (its chunks are shared out to shards as a sweep's are), or null for none.
     */
    default SweepSpec sweep(C config) {
        return null;
    }

    /** @return the extra per-run measure of {@link #sweep}, which may write side results into the units directory */
    default Sweeps.RunMeasure sweepMeasure(C config, Path unitsDir) {
        return null;
    }

    /**
     * Writes every output of the experiment from the units' results.
     *
     * @param config the settings
     * @param results every unit's result
     * @param dir the output directory
     * @return the JSON document (printed with {@code --json})
     */
    Map<String, Object> render(C config, Results results, Path dir);

    /**
     * Where a unit runs.
     *
     * @param device the device
     * @param unitsDir the directory of unit results (for side results)
     */
    record UnitContext(ai.djl.Device device, Path unitsDir) {}

    /**
     * What the units produced, read back from their JSON files.
     *
     * @param units unit id to its stored result
     * @param sweep the rows of {@link #sweep}, or null when the experiment has none
     * @param extra side results found in the units directory (file name without .json to content)
     * @param seconds compute time of the units and the sweep's chunks, summed
     * @param device the device the units ran on
     */
    record Results(Map<String, JsonNode> units, SweepTable sweep, Map<String, JsonNode> extra, double seconds, String device) {
        /** @return the result of {@code unit} bound to {@code type} */
        public <T> T get(String unit, Class<T> type) {
            JsonNode n = units.get(unit);
            if (n == null) {
                throw new IllegalStateException("no result for unit " + unit);
            }
            return Json.MAPPER.convertValue(n, type);
        }
    }
}
