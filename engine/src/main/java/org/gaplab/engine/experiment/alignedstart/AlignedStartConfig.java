package org.gaplab.engine.experiment.alignedstart;

import org.gaplab.core.UserException;
import org.gaplab.datasets.CircleMixtureConfig;
import org.gaplab.engine.config.EvalConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.config.ScheduleConfig;
import org.gaplab.engine.experiment.DigitsRun;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the aligned-start study (docs/theory.md section 8.1, "aligned-start"): the
 * modality-gap setting and the digits run, each trained from independent starts and from an aligned
 * start (both towers initialised to the same parameters), same seeds and batches.
 *
 * @param sigmas circle misalignments
 * @param seeds circle seeds per (sigma, start)
 * @param steps circle training steps
 * @param batchSize circle batch
 * @param evalSize circle evaluation pairs per run
 * @param path steps at which the gap is measured along training (those above {@code steps} are dropped; the end is always one)
 * @param digits whether the digits comparison runs
 * @param digitsSeeds digits seeds per start
 * @param digitsSteps digits training steps
 * @param digitsPath the digits path steps
 * @param marginFraction the equivalence margin of claim (b) as a fraction of the median independent-start gap (0.2)
 */
public record AlignedStartConfig(List<Double> sigmas, int seeds, int steps, int batchSize, int evalSize, List<Integer> path,
        boolean digits, int digitsSeeds, int digitsSteps, List<Integer> digitsPath, double marginFraction) {
    /** Validates. */
    public AlignedStartConfig {
        sigmas = List.copyOf(sigmas);
        path = List.copyOf(path);
        digitsPath = List.copyOf(digitsPath);
        if (sigmas.isEmpty() || sigmas.stream().anyMatch(s -> !(s >= 0))) {
            throw new UserException("aligned-start: sigmas must be a non-empty list of values >= 0, got " + sigmas);
        }
        if (sigmas.get(0) != 0.0) {
            throw new UserException("aligned-start: the first sigma must be 0 (the control of claim (a)), got " + sigmas);
        }
        if (seeds < 1 || steps < 1 || batchSize < 2 || evalSize < 20 || digitsSeeds < 1 || digitsSteps < 1) {
            throw new UserException("aligned-start: seeds, steps, digits_seeds, digits_steps >= 1, batch_size >= 2, eval_size >= 20 required");
        }
        if (!(marginFraction > 0 && marginFraction < 1)) {
            throw new UserException("aligned-start: margin_fraction must be in (0, 1), got " + marginFraction);
        }
        for (List<Integer> p : List.of(path, digitsPath)) {
            for (int i = 0; i < p.size(); i++) {
                if (p.get(i) < 0 || (i > 0 && p.get(i) <= p.get(i - 1))) {
                    throw new UserException("aligned-start: path steps must be >= 0 and strictly ascending, got " + p);
                }
            }
        }
    }

    /** @return the full study: sigma 0, 0.2, 0.4, 0.6 x 20 seeds x 2000 steps; digits 10 seeds x 300 steps */
    public static AlignedStartConfig paperDefault() {
        return new AlignedStartConfig(List.of(0.0, 0.2, 0.4, 0.6), 20, 2000, 256, 8000, List.of(0, 20, 50, 100, 200, 500, 1000, 2000),
                true, 10, 300, List.of(0, 10, 25, 50, 100, 200, 300), 0.2);
    }

    /** @return seconds: sigma 0 and 0.4, 2 seeds, 100 steps; digits 2 seeds, 50 steps */
    public static AlignedStartConfig quick() {
        return new AlignedStartConfig(List.of(0.0, 0.4), 2, 100, 128, 2000, List.of(0, 20, 50, 100), true, 2, 50, List.of(0, 10, 25, 50),
                0.2);
    }

    /** @return the path actually measured: the steps up to {@code total}, then {@code total} */
    public static int[] pathFor(List<Integer> path, int total) {
        List<Integer> out = new ArrayList<>();
        for (int s : path) {
            if (s < total) {
                out.add(s);
            }
        }
        out.add(total);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the log interval: the greatest common divisor of the positive path steps */
    static int logEvery(int[] path) {
        int g = 0;
        for (int s : path) {
            if (s > 0) {
                g = gcd(g, s);
            }
        }
        return Math.max(1, g);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** @return the circle run of (sigma, seed, start) */
    public RunConfig circleRun(double sigma, long seed, boolean aligned) {
        RunConfig d = RunConfig.defaults();
        return d.withName("aligned-start").withSeed(seed).withSteps(steps).withBatchSize(batchSize)
                .withData(CircleMixtureConfig.paper(sigma)).withEval(new EvalConfig(evalSize))
                .withModel(d.model().withAlignedStart(aligned))
                .withSchedule(new ScheduleConfig(logEvery(pathFor(path, steps)), 0, 0));
    }

    /** @return the digits run of (seed, start) */
    public RunConfig digitsRun(long seed, boolean aligned) {
        RunConfig d = DigitsRun.defaults();
        return d.withName("aligned-start-digits").withSeed(seed).withSteps(digitsSteps).withModel(d.model().withAlignedStart(aligned))
                .withSchedule(new ScheduleConfig(logEvery(pathFor(digitsPath, digitsSteps)), 0, 0));
    }

    /** @return a copy with another number of seeds (circle and digits) */
    public AlignedStartConfig withSeeds(int n) {
        return new AlignedStartConfig(sigmas, n, steps, batchSize, evalSize, path, digits, n, digitsSteps, digitsPath, marginFraction);
    }

    /** @return a copy with another number of circle and digits steps */
    public AlignedStartConfig withSteps(int n) {
        return new AlignedStartConfig(sigmas, seeds, n, batchSize, evalSize, path, digits, digitsSeeds, n, digitsPath, marginFraction);
    }
}
