package example;

import java.nio.file.Path;
import java.util.List;

import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.experiment.ExperimentRunner;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.train.StopSignal;

/** Runs the experiment from Java through gaplab's runner: java example.RunGapVsDimension [OUT_DIR]. */
public class RunGapVsDimension {
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "reproduce/gap-vs-dim");
        GapVsDimension experiment = new GapVsDimension();
        // the quick config, then overrides by key, as `gaplab reproduce gap-vs-dim --quick --set seeds=3` does
        GapVsDimension.Config config = ExperimentRunner.config(experiment, true, null, List.of("seeds=3"), null, null);
        ExperimentRunner.Outcome o = ExperimentRunner.run(experiment, config, out, new Shard(0, 1),
                DeviceProbe.choose(DeviceRequest.parse("cpu")), StopSignal.none(), List.of("RunGapVsDimension"));
        System.out.println("complete: " + o.complete() + ", outputs in " + out);
        System.out.println("claims: " + o.document().get("claims"));
    }
}
