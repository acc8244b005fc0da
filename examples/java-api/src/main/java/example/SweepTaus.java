package example;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.djl.Device;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.sweep.SweepRow;
import org.gaplab.engine.sweep.SweepTable;
import org.gaplab.engine.sweep.Sweeps;

/** Three temperatures x two seeds as stacked runs: java example.SweepTaus [OUT_DIR [STEPS]]. */
public class SweepTaus {
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "sweeps/api-taus");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        RunConfig base = ConfigLoader.override(RunConfig.defaults(), Map.of("steps", steps, "eval.size", 2000));
        List<RunConfig> configs = new ArrayList<>();
        for (double tau : new double[] {0.05, 0.1, 0.2}) {
            for (long seed = 0; seed < 2; seed++) {
                configs.add(ConfigLoader.override(base, Map.of("model.temperature.tau", tau, "seed", seed)));
            }
        }
        // stacked in chunks (0: automatic); each row equals what TrainingRun gives for its config
        SweepTable table = Sweeps.run(configs, Device.cpu(), 0);
        table.write(out);                                      // runs.csv and runs.jsonl, as `gaplab sweep` writes
        for (SweepRow r : table.rows()) {
            RunConfig c = configs.get(r.index());
            System.out.printf("tau %.2f seed %d: final loss %.4f, centroid gap %.4f%n", c.model().temperature().tau(), r.seed(),
                    r.metric("final_loss"), r.metric("centroid_gap"));
        }
    }
}
