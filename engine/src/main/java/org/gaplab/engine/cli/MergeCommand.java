package org.gaplab.engine.cli;

import org.gaplab.core.UserException;
import org.gaplab.engine.experiment.ExperimentRunner;
import org.gaplab.engine.sweep.SweepRunner;
import org.gaplab.engine.sweep.SweepTable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gaplab merge}: joins the shard directories of a sweep or of a reproduction. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge the output directories of all shards of one sweep ('gaplab sweep --shard') into a single",
            "table (runs.jsonl, runs.csv, figures), or of one reproduction ('gaplab reproduce EXP --shard') into",
            "its JSON, CSV tables, figures and summary.md: in both cases what one unsharded process writes.",
            "Fails, naming them, when a shard is missing, incomplete, or belongs to another sweep, experiment",
            "or config, when --out is one of the inputs, and (for a reproduction) when --out holds anything but",
            "an earlier merge of the same run; a refused merge writes nothing."})
public final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = {"Shard output directories (a directory holding them",
        "stands for all of them)."})
    List<Path> dirs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where the merged outputs go.")
    Path out;

    @Option(names = "--force", description = {"Write into an --out that holds files gaplab did not write (default: refused,",
        "exit 2); files of the names a merge writes are replaced, other files are left."})
    boolean force;

    @Override
    public Integer call() {
        if (out.toString().isBlank()) {
            throw new UserException("--out must be a directory, got '' (it would write into the current directory)");
        }
        if (dirs.stream().anyMatch(ExperimentRunner::isExperimentDir)) {
            ExperimentRunner.merge(dirs, out, force);
            System.out.printf("gaplab merge: the shards of a reproduction -> %s (summary.md, JSON, CSV, figures)%n", out);
            return ExitCodes.OK;
        }
        SweepTable t = SweepRunner.merge(dirs, out, force);
        System.out.printf("gaplab merge: %d rows from %d shard(s) -> %s%n", t.rows().size(), dirs.size(), out);
        return ExitCodes.OK;
    }
}
