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
        description = {"A run directory (from 'gaplab train') is one row; a sweep directory (from 'gaplab sweep' or",
            "'gaplab merge') gives one row per grid point, with the mean and sd over its seeds (--per-run: one",
            "row per run). Columns: the config settings that differ between rows, then the metrics.",
            "",
            "Examples:",
            "  gaplab compare runs/modality-gap-20261124-011207 runs/modality-gap-20261124-013015",
            "  gaplab compare runs/* --metrics final_loss,centroid_gap --format csv > table.csv",
            "  gaplab compare sweeps/quick-sweep sweeps/sigma-sweep --out cmp   (also writes figures)"})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run or sweep directories.")
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
