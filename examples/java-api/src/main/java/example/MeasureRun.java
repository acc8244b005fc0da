package example;

import java.nio.file.Path;
import java.util.List;

import org.gaplab.core.Json;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.train.RunResult;
import org.gaplab.engine.train.TrainingRun;

/** Trains on the bundled digits and measures the gap on the held-out split: java example.MeasureRun [RUN_DIR [CONFIG]]. */
public class MeasureRun {
    public static void main(String[] args) {
        Path runDir = Path.of(args.length > 0 ? args[0] : "runs/api-measure");
        Path yaml = Path.of(args.length > 1 ? args[1] : "../digits.yaml");   // examples/digits.yaml: MLP towers, 20% held out
        RunConfig config = ConfigLoader.load(yaml, List.of("steps=150"));

        try (RunResult result = TrainingRun.builder().setConfig(config).optOutputDir(runDir)
                .optDevice(DeviceRequest.parse("cpu")).build().call()) {
            // the held-out split: which image of the digits set each evaluation pair is (never a training row)
            int[][] rows = result.evaluationRows();
            System.out.printf("held-out pairs: %d (first image rows %d, %d, ...)%n", rows[0].length, rows[0][0], rows[0][1]);

            // what `gaplab measure --run RUN_DIR` computes: the held-out set, at the run's own tau
            GapReport report = result.measure(MeasureOptions.defaults().withSubsamples(5).withSubsampleSize(200));
            System.out.printf("tau %.3f (from the %s), m = %d per side%n", report.settings().tau(), report.settings().tauSource(),
                    report.settings().subsampleSize());
            for (String name : List.of("centroid_gap", "energy_distance", "r1_1to2")) {
                GapReport.Estimate e = report.estimate(name);
                System.out.println(name + " = " + (e.full() != null ? e.full() + " (whole set)"
                        : e.mean() + " +- " + e.std() + " (" + e.sample() + ", mean of the subsamples)"));
            }
            // the file `gaplab measure --out DIR` writes; `gaplab compare RUN_DIR` reads it with the run
            Json.write(runDir.resolve("gap_report.json"), report);
        }
    }
}
