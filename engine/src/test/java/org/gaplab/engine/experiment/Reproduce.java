package org.gaplab.engine.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.train.StopSignal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs an experiment in a test the way {@code gaplab reproduce NAME --device cpu} does: its declaration through the runner. */
public final class Reproduce {
    private static final DeviceChoice CPU = DeviceProbe.choose(DeviceRequest.parse("cpu"));

    private Reproduce() {}

    /**
     * @param e the experiment's declaration
     * @param config its settings
     * @param dir the output directory
     * @return the rendered JSON document
     */
    public static <C extends Record> Map<String, Object> onCpu(Experiment<C> e, C config, Path dir) {
        ExperimentRunner.Outcome o = ExperimentRunner.run(e, config, dir, Shard.ALL, CPU, StopSignal.none(), List.of("test"));
        assertThat(o.complete()).as("%s ran every unit", e.name()).isTrue();
        return o.document();
    }
}
