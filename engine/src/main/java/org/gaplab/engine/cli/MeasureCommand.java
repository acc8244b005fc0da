package org.gaplab.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFiles;
import org.gaplab.engine.measure.GapMeasurer;
import org.gaplab.engine.measure.GapReport;
import org.gaplab.engine.measure.MeasureOptions;
import org.gaplab.engine.measure.ReportText;
import org.gaplab.engine.report.Json;

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
            "the theory (THEORY.md sections 4-6), with uncertainty:",
            "  centroid gap; Jeffreys divergence J = KL12 + KL21 and D_sym = J/2 (k-NN, and the paper's",
            "  60-bin angle histogram for 2-D embeddings); entropies H(rho1), H(rho2); energy distance and",
            "  MMD^2 with permutation p-values; Wang-Isola alignment/uniformity; retrieval R@1/5/10 both ways;",
            "  the alignment term, E(rho1, rho2), ln c_tau, the plug-in L_inf and L_B - ln B at several B.",
            "Every statistic is the mean +- std over repeated subsamples of m pairs drawn without",
            "replacement; the shuffle control repeats each subsample with its pairing permuted (retrieval",
            "falls to chance, marginal statistics stay exactly the same).",
            "",
            "Input: a trained run (its evaluation set is embedded with both towers), or two matrices:",
            "  .npy (float32/float64/int32/int64), .npz (FILE.npz:NAME picks an array), or numeric .csv.",
            "Rows are L2-normalised by default: the estimators then work on the sphere S^(d-1) (intrinsic",
            "dimension d - 1); --no-normalize keeps raw vectors and works in R^d.",
            "",
            "Examples:",
            "  gaplab measure --run runs/modality-gap-0",
            "  gaplab measure --embeddings img.npy txt.npy --pairs txt_to_img.npy --tau 0.01 --out gap/",
            "  gaplab measure --embeddings emb.npz:image emb.npz:text --subsample 5000 --bootstrap 10 --json",
            "  gaplab measure --synthetic 50000 --device cpu      (timings in the report: a benchmark)"})
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
                    "untrained control of THEORY.md section 7, and a benchmark of this command at size N."})
        Integer synthetic;
    }

    @Option(names = "--pairs", paramLabel = "FILE",
            description = {"Many-to-one pairing: an integer vector with one entry per row of the second matrix,",
                "the row of the first matrix it belongs to (e.g. 25000 captions -> 5000 images).",
                "Without it rows are paired by index and n1 must equal n2."})
    String pairs;

    @Option(names = {"--bootstrap", "--subsamples"}, paramLabel = "R", defaultValue = "20",
            description = "Repeated subsamples (without replacement) for mean +- std (default: ${DEFAULT-VALUE}).")
    int subsamples;

    @Option(names = "--subsample", paramLabel = "M", defaultValue = "2000",
            description = "Pairs per subsample m (default: ${DEFAULT-VALUE}); m >= n measures the whole set once.")
    int subsampleSize;

    @Option(names = "--no-shuffle-control", description = "Skip the shuffled-pairing control (halves the time).")
    boolean noShuffleControl;

    @Option(names = "--no-normalize", description = "Keep raw vectors: estimators work in R^d, no theory terms.")
    boolean noNormalize;

    @Option(names = "--tau", paramLabel = "T",
            description = "Temperature of the theory terms (default: the run's own; 0.07 for --embeddings).")
    Double tau;

    @Option(names = "--k", paramLabel = "K", defaultValue = "5", description = "Neighbour rank of the k-NN estimators (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--permutations", paramLabel = "P", defaultValue = "199",
            description = "Relabellings in the energy/MMD permutation tests; 0 skips them (default: ${DEFAULT-VALUE}).")
    int permutations;

    @Option(names = "--n", paramLabel = "N", description = "With --run: evaluation pairs to embed (default: the run's eval.size).")
    Integer n;

    @Option(names = "--run-index", paramLabel = "K", defaultValue = "0", description = "With --run: which run of a stacked checkpoint.")
    int runIndex;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the subsamples, shuffles and permutations.")
    long seed;

    @Option(names = "--memory-mib", paramLabel = "MIB",
            description = {"Memory for one chunk of pairwise work; bounds the peak, whatever n is",
                "(default: 4 on CPU, where cache-sized chunks are fastest; 256 on a GPU)."})
    Long memoryMib;

    @Mixin
    DeviceOption device;

    @Option(names = "--json", description = "Print the report as one JSON object on stdout instead of the table.")
    boolean json;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Also write gap_report.json and gap_report.csv into DIR.")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        MeasureOptions options = options();
        GapReport report;
        try (NDManager manager = NDManager.newBaseManager(device.choose().device())) {
            GapMeasurer measurer = new GapMeasurer(options);
            if (input.run != null) {
                if (pairs != null) {
                    throw new UserException("--pairs goes with --embeddings; a run pairs its evaluation set by index");
                }
                RunInput.Embedded e = RunInput.embed(input.run, runIndex, n, manager, common.memoryBudget());
                double t = tau != null ? tau : e.tau();
                report = measurer.measure(e.z().get(0), e.z().get(1), null, new GapMeasurer.Source("run",
                        input.run + " tower1 (step " + e.step() + ")", input.run + " tower2", "by index"), t,
                        tau != null ? "option" : "model");
            } else if (input.synthetic != null) {
                if (input.synthetic < 2) {
                    throw new UserException("--synthetic must be >= 2, got " + input.synthetic);
                }
                var data = org.gaplab.datasets.CircleMixtureConfig.paper(0.4).build().evaluationSet(manager, seed, input.synthetic,
                        DataType.FLOAT32);
                report = measurer.measure(data.get(0), data.get(1), null, new GapMeasurer.Source("synthetic",
                        "circle mixture x (identity encoder)", "circle mixture y, sigma 0.4", "by index"));
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
                NDArray za = a.toNDArray(manager, DataType.FLOAT64);
                NDArray zb = b.toNDArray(manager, DataType.FLOAT64);
                report = measurer.measure(za, zb, partner, new GapMeasurer.Source("embeddings", a.source(), b.source(),
                        pairs == null ? "by index" : pairs));
            }
        }
        if (out != null) {
            Json.write(out.resolve("gap_report.json"), report);
            Json.writeAtomically(out.resolve("gap_report.csv"), ReportText.csv(report).getBytes(StandardCharsets.UTF_8));
        }
        if (json) {
            System.out.println(Json.line(report));
        } else {
            System.out.print(ReportText.table(report));
            if (out != null) {
                System.out.println("wrote " + out.resolve("gap_report.json") + " and " + out.resolve("gap_report.csv"));
            }
        }
        return ExitCodes.OK;
    }

    private MeasureOptions options() {
        if (memoryMib != null && memoryMib < 1) {
            throw new UserException("--memory-mib must be >= 1, got " + memoryMib);
        }
        MeasureOptions o;
        try {
            o = MeasureOptions.defaults().withSubsamples(subsamples).withSubsampleSize(subsampleSize).withShuffleControl(!noShuffleControl)
                    .withNormalize(!noNormalize).withK(k).withPermutations(permutations).withSeed(seed)
                    .withMemoryBudget(memoryMib == null ? 0 : memoryMib << 20);
            if (tau != null) {
                o = o.withTau(tau);
            }
        } catch (IllegalArgumentException e) {
            // MeasureOptions names its field; say which option that is
            throw new UserException("bad option: " + e.getMessage().replace("subsampleSize", "--subsample")
                    .replace("subsamples", "--bootstrap").replace("permutations", "--permutations").replace("tau", "--tau")
                    .replace("k:", "--k:"));
        }
        return o;
    }
}
