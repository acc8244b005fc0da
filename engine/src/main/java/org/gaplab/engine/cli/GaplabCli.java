package org.gaplab.engine.cli;

import org.gaplab.core.GaplabException;
import org.gaplab.core.Json;
import org.gaplab.engine.report.RunLogFile;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Entry point of the {@code gaplab} command. */
@Command(name = "gaplab", mixinStandardHelpOptions = true, versionProvider = GaplabCli.Version.class,
        description = {
            "Train small contrastive dual encoders with DJL and measure the geometry that the theory of",
            "Cai, Zhang, Liu & Shi (arXiv 2601.19597) predicts: alignment, entropy, and the modality gap.",
            "",
            "Start with '@|bold gaplab train|@' (the paper's modality-gap run on CPU, about 5 s),",
            "then '@|bold gaplab measure --run runs/modality-gap-<yyyyMMdd-HHmmss>|@' on the run directory it prints.",
            "Ready-made configs and sweep specs are in examples/ (e.g. 'gaplab train --config examples/digits.yaml',",
            "'gaplab sweep --config examples/quick-sweep.yaml'); 'gaplab COMMAND --help' explains each command."},
        subcommands = {TrainCommand.class, MeasureCommand.class, EmbedCommand.class, SweepCommand.class, MergeCommand.class,
            CompareCommand.class,
            ReproduceCommand.class, InfoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error (a bug; details in the run's log), 2 bad input, unusable device or file,",
            "refused (locked directory, memory over budget), 3 training diverged or collapsed,",
            "130/143 interrupted (SIGINT/SIGTERM) after writing a checkpoint.",
            "Docs: README.md."})
public final class GaplabCli {
    private GaplabCli() {}

    /** Version string from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gaplab " + gaplabVersion()};
        }
    }

    /**
     * @return gaplab's version from the jar manifest, or "dev" when run from classes
     * @see org.gaplab.core.Version#gaplab()
     */
    public static String gaplabVersion() {
        return org.gaplab.core.Version.gaplab();
    }

    /**
     * Builds the command line with gaplab's error handling ({@link #failed}): bad input prints one line
     * and exits 2, a bug exits 1 with "internal error".
     *
     * @return the configured picocli command line
     */
    public static CommandLine commandLine() {
        // an internal error points at this command's log, never at one an earlier command attached
        RunLogFile.forgetLast();
        CommandLine cl = new CommandLine(GaplabCli.class);
        ReproduceCommand.registerExperiments(cl.getSubcommands().get("reproduce"));
        // help texts are written for ~110 columns; narrower terminals wrap, wider ones do not stretch
        cl.setUsageHelpAutoWidth(true);
        cl.setUsageHelpWidth(110);
        HelpTexts.install(cl);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean verbose = parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                    || parseResult.hasMatchedOption("--verbose");
            boolean json = parseResult.originalArgs().contains("--json");
            return failed(ex, cmd, verbose, json);
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("gaplab: error: " + oneLine(ex.getMessage()));
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            printJsonError(java.util.Arrays.asList(args).contains("--json"), ex.getCommandLine(), ExitCodes.USAGE, "error",
                    oneLine(ex.getMessage()));
            return ExitCodes.USAGE;
        });
        return cl;
    }

    /**
     * Reports a command's failure and returns its exit code. A {@link GaplabException} of a user
     * category (bad input, an unusable device or file, a refused operation) is one line and exit 2;
     * anything else is a bug: exit 1 with "internal error", and the stack trace goes to the run's
     * log when a command attached one ({@link RunLogFile}), else (and with {@code --verbose} also)
     * to stderr.
     *
     * @param ex what the command threw
     * @param cmd the command (its err and out writers are used)
     * @param verbose whether to print the stack trace on stderr too
     * @param json whether to print the failure as a JSON object on stdout as well
     * @return the exit code
     */
    static int failed(Throwable ex, CommandLine cmd, boolean verbose, boolean json) {
        GaplabException.Category category = GaplabException.Category.of(ex);
        if (category != GaplabException.Category.INTERNAL) {
            String message = oneLine(ex.getMessage());
            cmd.getErr().println("gaplab: error: " + message);
            if (verbose) {
                ex.printStackTrace(cmd.getErr());
            }
            printJsonError(json, cmd, category.exitCode(), "error", message);
            return category.exitCode();
        }
        String what = "internal error: " + oneLine(ex.toString());
        Optional<Path> log = RunLogFile.last().filter(p -> RunLogFile.appendError(p, what, ex));
        if (log.isEmpty() || verbose) {
            ex.printStackTrace(cmd.getErr());
        }
        cmd.getErr().println("gaplab: " + what + "; details in " + log.map(Path::toString).orElse("the stack trace above")
                + " (a bug in gaplab, not in your input; please report it with the details)");
        cmd.getErr().flush();
        printJsonError(json, cmd, category.exitCode(), "internal_error", oneLine(ex.toString()));
        return category.exitCode();
    }

    /**
     * With {@code --json}, a failure is one JSON object on stdout too, so a program reading stdout
     * always gets an object: {@code {"schema_version":1,"status":"error","exit_code":2,"error":"..."}}.
     */
    private static void printJsonError(boolean json, CommandLine cmd, int code, String status, String message) {
        if (!json) {
            return;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("schema_version", 1);
        o.put("status", status);
        o.put("exit_code", code);
        o.put("error", message);
        cmd.getOut().println(Json.line(o));
        cmd.getOut().flush();
    }

    static String oneLine(String s) {
        return s == null ? "(no message)" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static volatile String[] lastArgs = new String[0];

    /** @return the arguments of the current invocation (recorded in provenance) */
    public static String[] lastArgs() {
        return lastArgs.clone();
    }

    /**
     * Runs gaplab in this JVM (the entry point for tests and embedding).
     *
     * @param args command-line arguments
     * @return the exit code
     */
    public static int run(String... args) {
        lastArgs = args.clone();
        return commandLine().execute(args);
    }

    /** @param args command-line arguments */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }
}
