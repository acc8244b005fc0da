package org.gaplab.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.core.Json;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;
import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFiles;
import org.gaplab.datasets.io.Npy;
import org.gaplab.datasets.paired.FinitePairedSource;
import org.gaplab.engine.admission.MemoryAdmission;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.checkpoint.RunArtifacts;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.report.EmbeddingView;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.TowerConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gaplab embed}: a trained run's embeddings, of its evaluation set or of rows you bring, as .npy. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Embed a run's evaluation set, or new rows, with the trained towers and write .npy files.",
        description = {"Evaluation set (default), for other tools or 'gaplab measure --embeddings':",
            "  OUT/z1.npy      [n, d]  modality 1, f(x), row i",
            "  OUT/z2.npy      [n, d]  modality 2, g(y), row i is the partner of z1 row i",
            "  OUT/x_rows.npy  [n]     int64: the row of your x file (data.x) behind z1 row i  } data.kind files",
            "  OUT/y_rows.npy  [n]     int64: the row of your y file (data.y) behind z2 row i  } and digits only",
            "  OUT/embed.json          what was written, n asked and n written, the run and its step",
            "  OUT/view.png/.svg/.pdf  for d > 2: the PCA plane and an equal-area view of the sphere",
            "The evaluation set is the run's own (its 'eval' seed stream; the held-out split of a finite",
            "dataset), so repeated exports agree. For a finite dataset --n is at most the split's size.",
            "",
            "New rows: --input X.npy --tower 1 (or 2) writes OUT/z.npy, row i = tower(X row i).",
            "Rows are unit vectors when the model L2-normalises its output (the default).",
            "",
            "Examples:",
            "  gaplab embed --run runs/modality-gap-20261124-011207 --out emb",
            "  gaplab embed --run runs/digits-20261124-020311 --out emb --input new_left_halves.npy --tower 1",
            "  python -c \"import numpy as np; print(np.load('emb/z1.npy').shape)\""})
public final class EmbedCommand implements Callable<Integer> {
    private static final Logger LOG = LogManager.getLogger(EmbedCommand.class);

    @Mixin
    CommonOptions common;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory written by 'gaplab train' (or its checkpoint file).")
    Path run;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @Option(names = "--n", paramLabel = "N", description = "Evaluation pairs to embed (default: the run's eval.size; a finite dataset has at most its split).")
    Integer n;

    @Option(names = "--input", paramLabel = "FILE", description = "Rows to embed instead of the evaluation set: .npy, .npz, FILE.npz:NAME or CSV, [rows, input_dim].")
    String input;

    @Option(names = "--tower", paramLabel = "1|2", description = "Which tower embeds --input: 1 (modality 1, f) or 2 (modality 2, g).")
    Integer tower;

    @Option(names = "--run-index", paramLabel = "K", defaultValue = "0", description = {"Which run of a stacked checkpoint, or of a sweep directory its point (runs.csv's",
                "index; default: ${DEFAULT-VALUE})."})
    int runIndex;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        common.apply();
        if ((input == null) != (tower == null)) {
            throw new UserException("--input and --tower go together (which tower embeds the rows: 1 or 2)");
        }
        if (tower != null && tower != 1 && tower != 2) {
            throw new UserException("--tower must be 1 or 2, got " + tower);
        }
        if (input != null && n != null) {
            throw new UserException("--n applies to the evaluation set; with --input every row is embedded");
        }
        try (NDManager manager = NDManager.newBaseManager(device.choose().device())) {
            return input != null ? embedInput(manager) : embedEvaluation(manager);
        }
    }

    private int embedInput(NDManager manager) {
        org.gaplab.engine.rundir.OutputDirectory.requireNotSystem(out);
        RunInput.Loaded located = RunInput.load(run, runIndex, manager);
        RunArtifacts.LoadedRun loaded = located.run();
        TowerConfig t = tower == 1 ? located.config().model().tower1() : located.config().model().tower2();
        Matrix m = MatrixFiles.read(input).requireMatrix("--input");
        if (m.cols() != t.inputDim()) {
            throw new UserException("--input " + input + " has " + m.cols() + " columns, but tower " + tower + " takes input_dim = "
                    + t.inputDim());
        }
        MemoryAdmission.admit(MemoryAdmission.embeddingRows(located.config(), m.rows(), t),
                MemoryAdmission.budget(manager.getDevice(), common.memoryBudget()));
        double[] values = m.data();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new UserException("--input " + input + ": row " + i / m.cols() + ", column " + i % m.cols() + " is " + values[i]);
            }
        }
        Path file = out.resolve("z.npy");
        try (NDManager scope = manager.newSubManager()) {
            DualEncoder one = loaded.model().selectRun(located.index(), scope);
            DataType dt = located.config().precision().dataType();
            NDArray x = scope.create(values, new Shape(m.rows(), m.cols())).toType(dt, false);
            NDArray z = one.embedRows(x, org.gaplab.models.Modality.ofTower(tower));
            Npy.write(file, z);
            System.out.println("wrote " + file + " " + z.getShape() + " (tower " + tower + " of " + run + ", step " + loaded.step() + ")");
        }
        return ExitCodes.OK;
    }

    private int embedEvaluation(NDManager manager) {
        org.gaplab.engine.rundir.OutputDirectory.requireNotSystem(out);
        RunInput.Embedded e = RunInput.embed(run, runIndex, n, manager, common.memoryBudget(), true);
        // every file is written into a staging directory first and moved into --out with embed.json last,
        // so a failure (a full disk) never leaves z1.npy beside an embed.json that does not describe it
        Path stage = out.resolve(".embed-staging-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            return embedEvaluation(manager, e, stage);
        } finally {
            deleteQuietly(stage);
        }
    }

    private int embedEvaluation(NDManager manager, RunInput.Embedded e, Path stage) {
        long rows = e.z().get(0).getShape().get(0);
        Npy.write(stage.resolve("z1.npy"), e.z().get(0));
        Npy.write(stage.resolve("z2.npy"), e.z().get(1));
        RunConfig config = e.config();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("schema_version", 1);
        meta.put("run", run.toString());
        meta.put("run_index", runIndex);
        meta.put("step", e.step());
        meta.put("n_requested", n != null ? n : config.eval().size());
        meta.put("n_written", rows);
        List<String> files = new java.util.ArrayList<>(List.of("z1.npy", "z2.npy"));
        PairedSource source = config.data().build();
        if (source instanceof FinitePairedSource f) {
            Npy.writeLongs(stage.resolve("x_rows.npy"), Arrays.stream(Arrays.copyOf(f.evalXRows(), (int) rows)).asLongStream().toArray());
            Npy.writeLongs(stage.resolve("y_rows.npy"), Arrays.stream(Arrays.copyOf(f.evalYRows(), (int) rows)).asLongStream().toArray());
            files.addAll(List.of("x_rows.npy", "y_rows.npy"));
            meta.put("rows", "x_rows.npy / y_rows.npy: the source row behind each embedding row");
        } else {
            meta.put("rows", "synthetic data: fresh draws from the run's eval seed, no source rows");
        }
        long dim = e.z().get(0).getShape().get(1);
        if (dim > 2) {
            // a figure: one host copy of each sample
            EmbeddingView.write(rows2d(e.z().get(0)), rows2d(e.z().get(1)), config.name(), stage.resolve("view"));
            files.add("view.png/.svg/.pdf");
        }
        meta.put("files", files);
        if (n != null && rows < n) {
            String msg = "--n " + n + ": the evaluation split of this run's data has " + rows + " pairs; wrote all " + rows;
            LOG.warn(msg);
            meta.put("note", msg);
        }
        Json.write(stage.resolve("embed.json"), meta);
        install(stage);
        System.out.println("wrote " + String.join(", ", files) + " to " + out + " " + e.z().get(0).getShape()
                + (meta.containsKey("note") ? " (" + meta.get("note") + ")" : ""));
        return ExitCodes.OK;
    }

    /** Moves the staged files into --out: the old embed.json goes first, the new one comes last. */
    private void install(Path stage) {
        try {
            java.nio.file.Files.deleteIfExists(out.resolve("embed.json"));
            List<Path> files;
            try (var s = java.nio.file.Files.list(stage)) {
                files = s.filter(p -> !p.getFileName().toString().equals("embed.json")).sorted().toList();
            }
            for (Path f : files) {
                java.nio.file.Files.move(f, out.resolve(f.getFileName()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            java.nio.file.Files.move(stage.resolve("embed.json"), out.resolve("embed.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException ex) {
            throw new org.gaplab.core.UnavailableException("cannot move the embeddings into " + out + ": "
                    + org.gaplab.core.IoReasons.of(ex), ex);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException | RuntimeException ex) {
            LOG.warn("could not remove the staging directory {}: {}", dir, ex.getMessage());
        }
    }

    private static double[][] rows2d(NDArray z) {
        int rows = (int) z.getShape().get(0);
        int cols = (int) z.getShape().get(1);
        float[] flat = z.toType(DataType.FLOAT32, false).toFloatArray();
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = flat[i * cols + j];
            }
        }
        return out;
    }
}
