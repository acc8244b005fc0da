package org.gaplab.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFiles;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.Marginal;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.measure.Pairwise;
import org.gaplab.engine.measure.ReportText;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gaplab measure}: the modality gap and the theory's terms of a run or of two embedding files. */
@Command(name = "measure", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the population-level modality gap between two embedding samples, and the terms of",
            "the theory (docs/theory.md sections 4-6), with uncertainty.",
            "",
            "What is paired and what is independent:",
            "  Two-sample statistics compare the two marginals: energy distance and MMD^2 (unbiased",
            "  U-statistics) with permutation p-values, the k-NN divergences KL12, KL21, J = KL12 + KL21,",
            "  D_sym = J/2, the k-NN entropies and the Wang-Isola uniformity. Each repeat splits the images",
            "  (or, one-to-one, the pairs) into two disjoint random halves and takes m points of modality 1",
            "  from one half and m of modality 2 from the other, so no row meets its own partner; m is",
            "  lowered, with a note, when the halves are smaller. The shuffle control cannot change them.",
            "  Paired statistics use m true pairs per repeat: Wang-Isola alignment, the alignment term and",
            "  L_B - ln B; the shuffle control (pairing permuted) repeats them.",
            "Which marginal (--pairs, many captions per image): the centroid uses each image once;",
            "  energy/MMD use the caption-weighted image marginal z1[pairs] (--marginal unique: each image",
            "  once); k-NN estimators never see an image twice. Both columns use the same weighting.",
            "Retrieval: the standard whole-set protocol (as CLIP_benchmark and the paper's COCO script):",
            "  image->text is a hit when any caption of the image ranks in the top K of all captions;",
            "  text->image when its image ranks in the top K of all images; R@1/5/10, mean and median rank.",
            "  --subsample-retrieval adds R@K inside m-pair subsamples (inflated, not comparable).",
            "Reliability: every k-NN estimate carries reliable/reason (JSON) and (!) in the table: it must",
            "  pass the dimension rule D <= log2(m/k) (D = intrinsic dimension) and stay within 3 standard",
            "  errors across k = 3, 5, 10 and from m/2 to m. Theory terms built from it inherit the flag.",
            "  At d = 512 with m = 2000 they are always flagged: the k-NN numbers are then not estimates.",
            "Temperature: a run uses its own (learned) tau. Embeddings need --tau or --logit-scale for the",
            "  theory terms (alignment term, E, ln c_tau, L_inf, L_B - ln B); without one they are skipped.",
            "Published gap measures (whole set unless said): paired distance L2I; relative modality gap RMG",
            "  (Schrodi et al.'s d = (1 - cos)/2); the cone effect (mean/sd cosine within each modality);",
            "  linear separability (logistic regression on the device, balanced, split by pair, Wilson",
            "  interval and a binomial test against chance 0.5); effective rank (RankMe) per modality and",
            "  pooled; shift versus shape: how many principal axes carry the gap vector, the first axis's",
            "  variance share, and energy/MMD^2/k-NN J after centring each modality (500 per side, 5 repeats).",
            "--shift: the embedding-shift experiment. Cost: per grid point one whole-set retrieval pass",
            "  (about as long as the report's own) plus the loss on fixed batches; 13 points by default.",
            "Every formula, with its source: docs/theory.md (section 'Published gap measures').",
            "",
            "Input: a trained run (its evaluation set is embedded with both towers), or two matrices:",
            "  .npy (float32/float64/int32/int64), .npz (FILE.npz:NAME picks an array), or numeric .csv.",
            "Rows are L2-normalised by default: the estimators then work on the sphere S^(d-1) (intrinsic",
            "dimension d - 1); --no-normalize keeps raw vectors and works in R^d (no theory terms).",
            "",
            "Examples:",
            "  gaplab measure --run runs/<run-dir>",
            "  gaplab measure --embeddings img.npy txt.npy --pairs txt_to_img.npy --logit-scale 100 --out gap/",
            "  gaplab measure --embeddings emb.npz:image emb.npz:text --subsample 5000 --subsamples 10 --json",
            "  gaplab measure --synthetic 50000 --tau 0.07 --device cpu      (timings in the report: a benchmark)"})
public final class MeasureCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** Exactly one input. */
    static final class Input {
        @Option(names = "--run", paramLabel = "DIR", description = "Run directory written by 'gaplab train'.")
        Path run;

        @Option(names = "--embeddings", arity = "2", paramLabel = "FILE",
                description = "Two embedding matrices [n1, d] and [n2, d] (modality 1, modality 2).")
        String[] embeddings;

        @Option(names = "--synthetic", paramLabel = "N",
                description = {"N pairs of the paper's circle data (sigma 0.4) through identity encoders: the",
                    "untrained control of docs/theory.md section 7, and a benchmark of this command at size N."})
        Integer synthetic;
    }

    @Option(names = "--pairs", paramLabel = "FILE",
            description = {"Many-to-one pairing: one integer per row of the second matrix, the",
                "row of the first it belongs to (e.g. 25000 captions -> 5000 images).",
                "Without it rows are paired by index and n1 must equal n2."})
    String pairs;

    /** The default of --subsamples. */
    static final int DEFAULT_SUBSAMPLES = 20;

    @Option(names = "--subsamples", paramLabel = "R",
            description = {"Repeats R: new disjoint halves and pairs, drawn without replacement, for",
                "mean +- std (default: " + DEFAULT_SUBSAMPLES + ")."})
    Integer subsamplesGiven;

    /**
     * The old name of --subsamples, kept working with one warning: the repeats are subsamples
     * drawn without replacement, not bootstrap resamples.
     */
    @Option(names = "--bootstrap", paramLabel = "R", description = "Deprecated: the old name of --subsamples.")
    Integer bootstrap;

    /** The repeats R, set by {@link #options()} from --subsamples or its deprecated alias. */
    int subsamples = DEFAULT_SUBSAMPLES;

    @Option(names = "--subsample", paramLabel = "M", defaultValue = "2000",
            description = {"m: points per side of the two independent samples, and pairs of the",
                "paired statistics (default: ${DEFAULT-VALUE}); lowered, with a note, to what",
                "disjoint halves allow."})
    int subsampleSize;

    @Option(names = "--no-shuffle-control", description = "Skip the shuffled-pairing control (paired statistics, retrieval).")
    boolean noShuffleControl;

    @Option(names = "--no-normalize", description = "Keep raw vectors: estimators work in R^d, no theory terms.")
    boolean noNormalize;

    @Option(names = "--tau", paramLabel = "T",
            description = {"Temperature of the theory terms (default: a run's own; embeddings",
                "have none: their theory terms are skipped without --tau/--logit-scale)."})
    Double tau;

    @Option(names = "--logit-scale", paramLabel = "S",
            description = "Logit scale 1/tau instead of --tau (CLIP's learned one: about 100).")
    Double logitScale;

    @Option(names = "--marginal", paramLabel = "unique|weighted", defaultValue = "weighted",
            description = {"Law of modality 1 in energy/MMD/uniformity with --pairs: 'weighted'",
                "(default) counts an image once per caption, as z1[pairs]; 'unique'",
                "takes each image once."})
    String marginal;

    @Option(names = "--subsample-retrieval", description = "Also R@K inside m-pair subsamples (inflated; not standard).")
    boolean subsampleRetrieval;

    @Option(names = "--separability-folds", paramLabel = "K", defaultValue = "1",
            description = {"Linear separability: 1 = one 80/20 split by pair (default), K >= 2 = K-fold",
                "by pair, 0 = off."})
    int separabilityFolds;

    @Option(names = "--shift", description = {"Also run the embedding-shift experiment (see above); with --out it",
        "writes shift.csv and shift.png/.svg/.pdf."})
    boolean shift;

    @Option(names = "--shift-grid", paramLabel = "D,D,...", split = ",",
            description = {"Shifts delta of --shift; must contain 0 (default: -1, -0.75, ..., 2 times",
                "the unshifted gap)."})
    double[] shiftGrid;

    @Option(names = "--shift-tau", paramLabel = "T,T,...", split = ",",
            description = "Temperatures of the --shift loss (default: the run's tau, or --tau/--logit-scale).")
    double[] shiftTau;

    @Option(names = "--shift-batch", paramLabel = "B", defaultValue = "1024",
            description = "Pairs per batch of the --shift loss (memory O(B^2); default: ${DEFAULT-VALUE}).")
    int shiftBatch;

    @Option(names = "--k", paramLabel = "K", defaultValue = "5", description = "Neighbour rank of the k-NN estimators (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--permutations", paramLabel = "P", defaultValue = "199",
            description = "Relabellings in the energy/MMD permutation tests; 0 skips them (default: ${DEFAULT-VALUE}).")
    int permutations;

    @Option(names = "--n", paramLabel = "N", description = "With --run: evaluation pairs to embed (default: the run's eval.size).")
    Integer n;

    @Option(names = "--run-index", paramLabel = "K", defaultValue = "0",
            description = "With --run: which run of a stacked checkpoint, or of a sweep directory its point (runs.csv's index).")
    int runIndex;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the subsamples, shuffles and permutations.")
    long seed;

    @Option(names = "--memory-mib", paramLabel = "MIB",
            description = {"Memory for one chunk of pairwise work; bounds the peak, whatever n is",
                "(default: " + (Pairwise.CPU_BUDGET_BYTES >> 20) + " on CPU, 256 on a GPU)."})
    Long memoryMib;

    @Mixin
    DeviceOption device;

    @Option(names = "--json", description = "Print the report as one JSON object on stdout instead of the table.")
    boolean json;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Also write gap_report.json and gap_report.csv into DIR.")
    Path out;

    /** Largest --permutations: p-values resolve 1/(P + 1), and each relabelling is a weight column. */
    static final int MAX_PERMUTATIONS = 100_000;
    /** Largest --subsamples: each repeat recomputes every statistic. */
    static final int MAX_REPEATS = 10_000;
    /** Largest --subsample m (it is lowered to what disjoint halves allow anyway). */
    static final int MAX_SUBSAMPLE = 100_000_000;
    /** Largest --memory-mib: 1 TiB for one chunk. */
    static final long MAX_MEMORY_MIB = 1L << 20;

    @Override
    public Integer call() {
        common.apply();
        MeasureOptions options = options();
        checkShift(options);
        if (out != null) {
            org.gaplab.engine.rundir.OutputDirectory.requireNotSystem(out);   // the report and figures go there
        }
        GapReport report;
        try (NDManager manager = NDManager.newBaseManager(device.choose().device())) {
            GapMeasurer measurer = new GapMeasurer(options);
            if (input.run != null) {
                if (pairs != null) {
                    throw new UserException("--pairs goes with --embeddings; a run pairs its evaluation set by index");
                }
                RunInput.Embedded e = RunInput.embed(input.run, runIndex, n, manager, common.memoryBudget());
                report = org.gaplab.engine.train.RunGap.measure(e.z(), e.tau(), options, tauSource(),
                        e.label(input.run, runIndex), e.step());
                report = extras(measurer, report, e.z().get(0), e.z().get(1), null,
                        report.settings().tau() == null ? Double.NaN : report.settings().tau());   // the tau the report used
            } else if (input.synthetic != null) {
                if (input.synthetic < 2) {
                    throw new UserException("--synthetic must be >= 2, got " + input.synthetic);
                }
                admit(manager, input.synthetic, input.synthetic, 2, SYNTHETIC_ROW_BYTES, "--synthetic", options);
                var data = org.gaplab.datasets.CircleMixtureConfig.paper(0.4).build().evaluationSet(manager, seed, input.synthetic,
                        DataType.FLOAT32);
                report = measurer.measure(data.get(0), data.get(1), null, new GapMeasurer.Source("synthetic",
                        "circle mixture x (identity encoder)", "circle mixture y, sigma 0.4", "by index"), options.tau(), tauSource());
                report = extras(measurer, report, data.get(0), data.get(1), null, options.tau());
            } else {
                if (n != null) {
                    throw new UserException("--n goes with --run; with --embeddings every row is used");
                }
                Matrix a = MatrixFiles.read(input.embeddings[0]).requireMatrix("embeddings");
                Matrix b = MatrixFiles.read(input.embeddings[1]).requireMatrix("embeddings");
                InputWarnings.warnDuplicateRows(a);
                InputWarnings.warnDuplicateRows(b);
                if (a.cols() != b.cols()) {
                    throw new UserException(b.source() + ": has dimension " + b.cols() + " but " + a.source() + " has " + a.cols());
                }
                int[] partner = null;
                if (pairs != null) {
                    Matrix p = MatrixFiles.read(pairs);
                    partner = p.requireIndexVector("pairs");
                    if (partner.length != b.rows()) {
                        throw new UserException(pairs + ": has " + partner.length + " entries but " + b.source() + " has " + b.rows()
                                + " rows (one partner per row of the second matrix)");
                    }
                    for (int j = 0; j < partner.length; j++) {
                        if (partner[j] >= a.rows()) {
                            throw new UserException(pairs + ": entry " + j + " is " + partner[j] + ", outside the " + a.rows()
                                    + " rows of " + a.source());
                        }
                    }
                } else if (a.rows() != b.rows()) {
                    throw new UserException(b.source() + ": has " + b.rows() + " rows but " + a.source() + " has " + a.rows()
                            + "; rows are paired by index unless --pairs gives a many-to-one pairing");
                }
                admit(manager, a.rows(), b.rows(), a.cols(), 0, "--embeddings (fewer rows)", options);
                NDArray za = a.toNDArray(manager, DataType.FLOAT64);
                NDArray zb = b.toNDArray(manager, DataType.FLOAT64);
                report = measurer.measure(za, zb, partner, new GapMeasurer.Source("embeddings", a.source(), b.source(),
                        pairs == null ? "by index" : pairs), options.tau(), tauSource());
                report = extras(measurer, report, za, zb, partner, options.tau());
            }
        }
        if (out != null) {
            Json.write(out.resolve("gap_report.json"), report);
            Json.writeAtomically(out.resolve("gap_report.csv"), ReportText.csv(report).getBytes(StandardCharsets.UTF_8));
            if (report.shift() != null) {
                Json.writeAtomically(out.resolve("shift.csv"), ReportText.shiftCsv(report.shift()).getBytes(StandardCharsets.UTF_8));
            }
        }
        if (json) {
            for (String note : report.notes()) {
                System.err.println("gaplab: note: " + note); // in the JSON too, under "notes"
            }
            System.out.println(Json.line(report));
        } else {
            System.out.print(ReportText.table(report));
            if (out != null) {
                System.out.println("wrote " + out.resolve("gap_report.json") + " and " + out.resolve("gap_report.csv"));
            }
        }
        return ExitCodes.OK;
    }

    /** Bytes per pair the circle-mixture generator holds besides its output (its float64 scratch; as MemoryAdmission's evaluation rows). */
    private static final long SYNTHETIC_ROW_BYTES = 640;

    /** Refuses a measurement whose estimated peak exceeds the budget (--memory-budget or GAPLAB_MEMORY_BUDGET), before allocating. */
    private void admit(NDManager manager, long n1, long n2, long d, long rowBytes, String nKey, MeasureOptions o) {
        long chunk = o.memoryBudgetBytes() > 0 ? o.memoryBudgetBytes() : Pairwise.CPU_BUDGET_BYTES;
        org.gaplab.engine.admission.MemoryAdmission.admit(org.gaplab.engine.admission.MemoryAdmission.embeddingsMeasurement(n1, n2, d,
                rowBytes, o.subsampleSize(), o.permutations(), chunk, nKey),
                org.gaplab.engine.admission.MemoryAdmission.budget(manager.getDevice(), common.memoryBudget()));
    }

    /** Refuses a --shift request that cannot run, before the report's own work. */
    private void checkShift(MeasureOptions options) {
        if (!shift) {
            if (shiftGrid != null || shiftTau != null) {
                throw new UserException("--shift-grid and --shift-tau go with --shift");
            }
            return;
        }
        if (shiftGrid != null && java.util.Arrays.stream(shiftGrid).noneMatch(v -> v == 0)) {
            throw new UserException("--shift-grid must contain 0 (the unshifted embeddings), got " + java.util.Arrays.toString(shiftGrid));
        }
        if (input.run == null && shiftTau == null && !options.hasTau()) {
            throw new UserException("--shift needs a temperature for its loss: give --tau, --logit-scale or --shift-tau");
        }
        if (noNormalize) {
            throw new UserException("--shift moves unit embeddings along the gap direction; it does not go with --no-normalize");
        }
    }

    /** The shift experiment and the figures, while the embeddings are still in memory. */
    private GapReport extras(GapMeasurer measurer, GapReport report, NDArray z1, NDArray z2, int[] partner, double tau) {
        if (shift) {
            double[] taus = shiftTau != null ? shiftTau : Double.isNaN(tau) ? new double[0] : new double[] {tau};
            report = report.withShift(measurer.shift(z1, z2, partner, shiftGrid, taus, shiftBatch));
        }
        if (out != null) {
            try {
                java.nio.file.Files.createDirectories(out);
            } catch (java.io.IOException e) {
                throw new UserException("cannot create " + out + ": " + e.getMessage());
            }
            org.gaplab.engine.report.MeasureFigures.embeddings(org.gaplab.engine.measure.MeasureView.sample(z1, z2, partner, seed, 2000),
                    report.input().kind(), out);
            if (report.shift() != null) {
                org.gaplab.engine.report.MeasureFigures.shift(report.shift(), out.resolve("shift"));
            }
        }
        return report;
    }

    private String tauSource() {
        return logitScale != null ? "logit-scale" : "option";
    }

    /**
     * Sets {@link #subsamples} from --subsamples or, with one warning, from the deprecated --bootstrap.
     *
     * @return the flag the user gave it with (named in refusals)
     */
    private String repeats() {
        if (bootstrap == null) {
            subsamples = subsamplesGiven != null ? subsamplesGiven : DEFAULT_SUBSAMPLES;
            return "--subsamples";
        }
        if (subsamplesGiven != null) {
            throw new UserException("give --subsamples only (--bootstrap is its deprecated old name)");
        }
        System.err.println("gaplab: warning: --bootstrap is deprecated: the repeats are subsamples drawn without replacement;"
                + " use --subsamples " + bootstrap);
        subsamples = bootstrap;
        return "--bootstrap";
    }

    private MeasureOptions options() {
        if (memoryMib != null) {
            org.gaplab.core.Sizes.requireRange(memoryMib, 1, MAX_MEMORY_MIB, "--memory-mib", "one chunk of pairwise work; the whole"
                    + " command's peak is bounded by --memory-budget");
        }
        // bounds on the options that size arrays or loops, before anything is allocated
        org.gaplab.core.Sizes.requireRange(permutations, 0, MAX_PERMUTATIONS, "--permutations",
                "each relabelling is a weight column of every pairwise pass");
        String repeatsFlag = repeats();
        org.gaplab.core.Sizes.requireRange(subsamples, 1, MAX_REPEATS, repeatsFlag, "each repeat recomputes every statistic");
        org.gaplab.core.Sizes.requireRange(subsampleSize, 20, MAX_SUBSAMPLE, "--subsample", "points per side of a repeat");
        if (tau != null && logitScale != null) {
            throw new UserException("give --tau or --logit-scale, not both (tau = 1 / logit scale)");
        }
        if (logitScale != null && !(logitScale > 0 && Double.isFinite(logitScale))) {
            throw new UserException("--logit-scale must be > 0, got " + logitScale);
        }
        Marginal m;
        try {
            m = Marginal.valueOf(marginal.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--marginal must be 'unique' or 'weighted', got '" + marginal + "'");
        }
        MeasureOptions o;
        try {
            o = MeasureOptions.defaults().withSubsamples(subsamples).withSubsampleSize(subsampleSize).withShuffleControl(!noShuffleControl)
                    .withNormalize(!noNormalize).withK(k).withPermutations(permutations).withSeed(seed)
                    .withMemoryBudget(memoryMib == null ? 0 : memoryMib << 20);
            o = o.withMarginal(m).withSubsampleRetrieval(subsampleRetrieval).withSeparabilityFolds(separabilityFolds);
            if (tau != null) {
                o = o.withTau(tau);
            } else if (logitScale != null) {
                o = o.withTau(1 / logitScale);
            }
        } catch (UserException e) {
            // MeasureOptions names its field; say which option that is
            throw new UserException("bad option: " + e.getMessage().replace("subsampleSize", "--subsample")
                    .replace("subsamples", repeatsFlag).replace("permutations", "--permutations").replace("tau", "--tau")
                    .replace("k:", "--k:").replace("separabilityFolds", "--separability-folds"));
        }
        return o;
    }
}
