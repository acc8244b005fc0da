package org.gaplab.engine.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.experiment.Experiment;
import org.gaplab.engine.experiment.ExperimentRunner;
import org.gaplab.engine.experiment.Experiments;
import org.gaplab.core.Json;
import org.gaplab.engine.rundir.DirectoryLock;
import org.gaplab.engine.sweep.Shard;
import org.gaplab.engine.train.StopSignal;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gaplab reproduce <experiment>}: the paper's numerical validations (docs/theory.md section 7).
 * One subcommand per experiment of the registry ({@link Experiments}), all with the same options;
 * each experiment declares its config, units and outputs, and {@link ExperimentRunner} runs them.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Regenerate the paper's numerical evidence, one experiment per subcommand, with the",
            "paper's settings by default. Each writes to its output directory: a JSON with every plotted",
            "number (schema_version 1), CSV tables, PNG and SVG figures, and summary.md, which checks the",
            "paper's claims against the run. '--quick' runs a reduced version in seconds. Every config key",
            "is settable ('--config FILE', '--set key=value'); '--shard i/n' runs part of the work units and",
            "'gaplab merge' joins the shards into the outputs of one run; a rerun resumes."})
public final class ReproduceCommand implements Callable<Integer> {
    private static final Logger LOG = LogManager.getLogger(ReproduceCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return ExitCodes.USAGE;
    }

    /**
     * Adds one subcommand per registered experiment to the {@code reproduce} command line.
     *
     * @param reproduce the command line of this command
     */
    static void registerExperiments(CommandLine reproduce) {
        for (Experiment<?> e : Experiments.all().values()) {
            CommandLine sub = new CommandLine(new ExperimentCommand(e));
            CommandLine.Model.CommandSpec s = sub.getCommandSpec();
            s.name(e.name());
            s.usageMessage().description(e.description().toArray(String[]::new));
            for (Experiment.Shorthand o : e.shorthands()) {
                s.addOption(CommandLine.Model.OptionSpec.builder(o.name()).paramLabel(o.label()).type(String.class)
                        .description(o.description() + " (= --set " + o.configKey() + "=...)").build());
            }
            reproduce.addSubcommand(e.name(), sub);
        }
        reproduce.addSubcommand("help", new CommandLine.HelpCommand());
    }

    /** {@code gaplab reproduce NAME}: one experiment, with the options every experiment shares. */
    @Command(mixinStandardHelpOptions = true, sortOptions = false)
    static final class ExperimentCommand implements Callable<Integer> {
        private final Experiment<?> experiment;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Option(names = "--quick", description = "Start from the reduced config (seconds on CPU) that exercises the full path.")
        boolean quick;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A YAML or JSON file of config keys over the paper's (or the quick) config; 'experiment.json' of "
                + "an earlier run holds every key under 'config'.")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one config key (repeatable, after --config), e.g. --set seeds=5 --set 'sigmas=[0.0, "
                + "0.5]'. Unknown keys are an error naming the known ones.")
        List<String> sets = new ArrayList<>();

        @Option(names = "--seeds", paramLabel = "N", description = "Number of seeds (default: the paper's; 1-3 with --quick).")
        Integer seeds;

        @Option(names = "--steps", paramLabel = "N", description = "Training steps, for experiments that train (default: the paper's).")
        Integer steps;

        @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1", description = "Run the work units i, i+n, i+2n, ... (0-based; default 0/1, everything). Then 'gaplab merge "
                + "DIR... --out M' writes the outputs.")
        String shard;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: reproduce/<experiment>, or reproduce/<experiment>-shard-<i>-of-<n> "
                + "with --shard). A rerun into it skips the finished units.")
        Path out;

        @Option(names = "--from", paramLabel = "DIR", description = "unimodal-gibbs: rewrite the outputs of an earlier run in DIR (its unimodal_gibbs.json) with "
                + "this version's tables, figures and verdicts, without training again.")
        Path from;

        @Mixin
        DeviceOption device;

        @Option(names = "--json", description = "Print the result JSON on stdout (logs stay on stderr).")
        boolean json;

        @Option(names = "--force", description = {"Write into an --out that holds files gaplab did not write, or another kind",
            "of output (default: refused, exit 2); files of the names it writes are replaced."})
        boolean force;

        ExperimentCommand(Experiment<?> experiment) {
            this.experiment = experiment;
        }

        @Override
        public Integer call() {
            return run(experiment);
        }

        private <C extends Record> int run(Experiment<C> e) {
            common.apply();
            Shard s = Shard.parse(shard);
            Path dir = outDir(e.name(), s);
            if (from != null) {
                // an earlier --from render holds the experiment's JSON document (no experiment.json): it is ours
                if (!java.nio.file.Files.isRegularFile(dir.resolve(e.name().replace('-', '_') + ".json"))) {
                    org.gaplab.engine.rundir.OutputDirectory.requireWritable(dir,
                            org.gaplab.engine.rundir.OutputDirectory.Kind.REPRODUCTION, force);
                }
                Map<String, Object> doc;
                try (DirectoryLock lock = DirectoryLock.acquire(dir, "gaplab reproduce " + e.name() + " --from")) {
                    doc = e.renderFrom(from, dir);
                }
                return finish(doc, dir);
            }
            List<String> overrides = new ArrayList<>(sets);
            for (Experiment.Shorthand o : e.shorthands()) {
                Object v = spec.findOption(o.name()).getValue();
                if (v != null) {
                    overrides.add(0, o.configKey() + "=" + v.toString().replace('-', '_'));
                }
            }
            C c = ExperimentRunner.config(e, quick, config, overrides, seeds, steps);
            DeviceChoice choice = device.choose();
            LOG.info("device {} ({})", choice.device(), choice.summary());
            LOG.debug("device: {}", choice.reason());
            try (StopSignal stop = StopSignal.install()) {
                ExperimentRunner.Outcome o = ExperimentRunner.run(e, c, dir, s, choice, stop, List.of(GaplabCli.lastArgs()), force);
                if (o.interrupted()) {
                    return "INT".equals(stop.requested()) ? ExitCodes.INTERRUPTED : ExitCodes.TERMINATED;
                }
                if (!o.complete()) {
                    if (json) {
                        Map<String, Object> m = new java.util.LinkedHashMap<>();
                        m.put("schema_version", 1);
                        m.put("status", "shard complete");
                        m.put("experiment", e.name());
                        m.put("shard", s.toString());
                        m.put("out", dir.toString());
                        System.out.println(Json.line(m));
                    } else {
                        System.out.println("wrote shard " + s + " of " + e.name() + " to " + dir.toAbsolutePath().normalize()
                                + "; when every shard is done: gaplab merge DIR... --out MERGED");
                    }
                    return ExitCodes.OK;
                }
                return finish(o.document(), dir);
            }
        }

        private Path outDir(String name, Shard s) {
            if (out != null && out.toString().isBlank()) {
                throw new UserException("--out must be a directory, got '' (it would write into the current directory)");
            }
            if (out != null) {
                return out;
            }
            return Path.of("reproduce", s.count() == 1 ? name : name + "-shard-" + s.index() + "-of-" + s.count());
        }

        private int finish(Map<String, Object> doc, Path dir) {
            if (json) {
                System.out.println(Json.pretty(doc));
            } else {
                System.out.println("wrote " + dir.toAbsolutePath().normalize() + " (summary.md, JSON, CSV, figures)");
            }
            return ExitCodes.OK;
        }
    }
}
