package org.gaplab.engine.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.device.DeviceUnavailableException;
import org.gaplab.engine.report.Json;
import org.gaplab.engine.rundir.DirectoryLock;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

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
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 bad input, unusable device or file, refused (locked directory,",
            "memory over budget), 3 training diverged or collapsed,",
            "130/143 interrupted (SIGINT/SIGTERM) after writing a checkpoint.",
            "Docs: README.md."})
public final class GaplabCli {
    private static final Logger LOG = LogManager.getLogger(GaplabCli.class);

    private GaplabCli() {}

    /** Version string from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"gaplab " + gaplabVersion()};
        }
    }

    /** @return gaplab's version from the jar manifest, or "dev" when run from classes */
    public static String gaplabVersion() {
        String v = GaplabCli.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Builds the command line with gaplab's error handling: bad input prints one line and exits 2.
     *
     * @return the configured picocli command line
     */
    public static CommandLine commandLine() {
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
            Throwable t = ex;
            String message = t.getMessage();
            if (t instanceof UncheckedIOException && t.getCause() != null) {
                // keep our own message ("cannot write <path>: ...") when there is one; a bare wrap says less
                t = t.getCause();
                if (message == null || message.equals(t.toString())) {
                    message = t.getMessage();
                }
            }
            if (isUserError(t)) {
                cmd.getErr().println("gaplab: error: " + oneLine(message));
                if (verbose) {
                    t.printStackTrace(cmd.getErr());
                }
                printJsonError(json, cmd, ExitCodes.USAGE, "error", oneLine(message));
                return ExitCodes.USAGE;
            }
            LOG.error("internal error: {}", t.toString(), t);
            cmd.getErr().println("gaplab: internal error: " + oneLine(t.toString()) + " (a bug; please report it with --verbose output)");
            printJsonError(json, cmd, ExitCodes.INTERNAL, "internal_error", oneLine(t.toString()));
            return ExitCodes.INTERNAL;
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
     * Bad input, an unusable device or file, a refused operation: one line and exit 2. Anything
     * else is a bug (exit 1).
     */
    static boolean isUserError(Throwable t) {
        return t instanceof UserException || t instanceof ConfigException || t instanceof DeviceUnavailableException
                || t instanceof Checkpoint.CheckpointException || t instanceof DirectoryLock.HeldException
                || t instanceof MemoryAdmission.RefusedException
                || t instanceof IllegalArgumentException || t instanceof java.io.IOException;
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
