package example;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.train.RunResult;
import org.gaplab.engine.train.TrainingRun;

/** Trains the paper's modality-gap run from Java: java example.TrainOnce [RUN_DIR [STEPS]]. */
public class TrainOnce {
    public static void main(String[] args) {
        // Where the run directory goes (config.json, metrics.jsonl, checkpoint.ckpt, summary.json, loss.png, ...).
        // Without optOutputDir it is runs/<name>-<yyyyMMdd-HHmmss> under the working directory, as for the CLI.
        Path runDir = Path.of(args.length > 0 ? args[0] : "runs/api-example");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;

        // The defaults are `./gaplab train`'s config; override keys by their dotted names, with typed values.
        // A bad key or value throws ConfigException naming the key.
        RunConfig config = ConfigLoader.override(RunConfig.defaults(), Map.of("data.sigma", 0.2, "steps", steps));

        try (RunResult result = TrainingRun.builder()
                .setConfig(config)                          // required: what to train
                .optOutputDir(runDir)                       // optional: the run directory (must not hold a run yet)
                .optDevice(DeviceRequest.parse("cpu"))      // optional: "auto" (default), "cpu", "cuda", "cuda:1"
                .build()
                .call()) {                                  // trains, evaluates and writes the run directory
            System.out.printf("%s: %d steps, %.0f steps/s, final loss %.4f%n",
                    result.status(), result.steps(), result.stepsPerSecond(), result.finalLoss());
            System.out.printf("mean pair cosine %.4f, centroid gap %.4f (n = %d evaluation pairs)%n",
                    result.eval().meanPairCosine(), result.eval().centroidGap(), result.eval().n());
            // embed new rows with tower 1 (embed2: tower 2); one row per input row, unit vectors
            float[][] z = result.model().embed1(new float[][] {{1, 0}, {0, 1}});
            System.out.println("z = " + Arrays.deepToString(z));
            System.out.println("run directory " + result.runDir());
        } // closing the result frees the trained model's native memory
    }
}
