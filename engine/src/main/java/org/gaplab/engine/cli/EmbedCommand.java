package org.gaplab.engine.cli;

import ai.djl.ndarray.NDManager;

import org.gaplab.datasets.io.Npy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gaplab embed}: export a trained run's embeddings of its evaluation set as .npy. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Embed the evaluation set of a trained run with both towers and write the two embedding",
            "matrices as NumPy files, for other tools (or for 'gaplab measure --embeddings'):",
            "  OUT/z1.npy  [n, d]  modality 1, f(x), row i",
            "  OUT/z2.npy  [n, d]  modality 2, g(y), row i is the partner of z1 row i",
            "The evaluation set is the run's own (its 'eval' seed stream), so repeated exports agree.",
            "Rows are unit vectors when the model L2-normalises its output (the default).",
            "",
            "Example:  gaplab embed --run runs/modality-gap-0 --out emb --n 8000",
            "          python -c \"import numpy as np; print(np.load('emb/z1.npy').shape)\""})
public final class EmbedCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory written by 'gaplab train' (or its checkpoint file).")
    Path run;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Directory for z1.npy and z2.npy (created if needed).")
    Path out;

    @Option(names = "--n", paramLabel = "N", description = "Evaluation pairs to embed (default: the run's eval.size).")
    Integer n;

    @Option(names = "--run-index", paramLabel = "K", defaultValue = "0", description = "Which run of a stacked checkpoint (default: ${DEFAULT-VALUE}).")
    int runIndex;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() {
        common.apply();
        try (NDManager manager = NDManager.newBaseManager(device.choose().device())) {
            RunInput.Embedded e = RunInput.embed(run, runIndex, n, manager);
            Npy.write(out.resolve("z1.npy"), e.z().get(0));
            Npy.write(out.resolve("z2.npy"), e.z().get(1));
            System.out.println("wrote " + out.resolve("z1.npy") + " and " + out.resolve("z2.npy") + " " + e.z().get(0).getShape());
        }
        return ExitCodes.OK;
    }
}
