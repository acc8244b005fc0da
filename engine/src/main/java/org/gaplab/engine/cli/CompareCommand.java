package org.gaplab.engine.cli;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.sweep.Comparison;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gaplab compare}: many runs and sweeps side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Put train runs and sweeps side by side: one table of chosen metrics, and figures.",
        description = {"Inputs: run directories (from 'gaplab train'), sweep directories ('gaplab sweep' or 'gaplab",
            "merge') and measurements ('gaplab measure --out DIR', in a run directory or a directory of its own).",
            "Runs whose settings differ only in the seed are one row: the mean, the sd over them (_sd) and n",
            "(runs); --per-run gives one row per run. Columns: the settings that differ between rows, then the",
            "metrics. Every numeric statistic of a gap_report.json is a metric: an estimate by its name (its",
            "whole-set value where the report has one, else its subsample mean), its fields as NAME.mean,",
            "NAME.std, NAME.full, ..., other sections by path (theory.large_batch_energy,",
            "permutation_tests.energy_distance.p_value). A statistic named like a training metric is",
            "report.NAME. Below the table, each column says what it is computed on (sample, marginal).",
            "",
            "Examples:",
            "  gaplab compare runs/modality-gap-20261124-011207 runs/modality-gap-20261124-013015",
            "  gaplab compare runs/* --metrics final_loss,centroid_gap --format csv > table.csv",
            "  gaplab compare sweeps/tau --metrics knn_jeffreys,energy_distance   (a sweep run with --measure)",
            "  gaplab compare sweeps/quick-sweep sweeps/sigma-sweep --out cmp   (also writes figures)"})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run, sweep or measurement directories.")
    List<Path> dirs;

    @Option(names = "--metrics", split = ",", paramLabel = "NAME[,NAME...]",
            description = "Metrics to show (default: every metric any row has; an unknown name lists the known ones).")
    List<String> metrics;

    @Option(names = "--format", paramLabel = "text|csv|json", defaultValue = "text",
            description = "What stdout gets (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--per-run", description = "One row per run of a sweep instead of one per grid point.")
    boolean perRun;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = {"Also write compare.csv, compare.json, compare.txt, metrics.png/.svg/.pdf",
                "(one panel per metric) and loss_curves.* (train runs) here."})
    Path out;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        if (!List.of("text", "csv", "json").contains(format)) {
            throw new UserException("--format must be text, csv or json, got '" + format + "'");
        }
        Comparison c = Comparison.read(dirs, perRun);
        List<String> shown = c.choose(metrics);
        switch (format) {
            case "csv" -> System.out.print(c.csv(shown));
            case "json" -> System.out.println(Json.pretty(c.json(shown)));
            default -> System.out.print(c.text(shown));
        }
        if (out != null) {
            List<String> files = c.write(out, shown);
            System.err.println("gaplab compare: wrote " + String.join(", ", files) + " to " + out);
        }
        return ExitCodes.OK;
    }
}
