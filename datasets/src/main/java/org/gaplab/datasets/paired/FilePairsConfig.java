package org.gaplab.datasets.paired;

import org.gaplab.core.Checks;
import org.gaplab.core.UserException;
import org.gaplab.datasets.PairedSource;
import org.gaplab.datasets.SourceConfig;
import org.gaplab.datasets.io.Matrix;
import org.gaplab.datasets.io.MatrixFiles;

/**
 * Paired data from feature files ({@code data.kind: files}). Each path is read by
 * {@link MatrixFiles} ({@code .npy}, {@code .npz}, {@code ARCHIVE.npz:NAME}, {@code .csv}), relative
 * to the working directory. The files are read, validated and split when the source is built;
 * every problem is one line naming the file (a bad value in a config is exit code 2).
 *
 * @param x modality-1 features, an {@code [n1, dimX]} matrix (required)
 * @param y modality-2 features, an {@code [n2, dimY]} matrix (required)
 * @param pairs optional integer vector of length n2: the x row each y row belongs to (many-to-one,
 *     e.g. several captions per image); empty to pair rows by index
 * @param labels optional integer vector of length n1: a class per x row (for same-class corruption);
 *     empty for none
 * @param evalFraction share of x items held out for evaluation, in [0, 1)
 * @param seed seed of the train/eval split and of the corruption (fixed for the dataset, whatever
 *     the run's seed)
 * @param corruption probability p of a same-class corrupted training pair ({@link PairCorruption})
 */
public record FilePairsConfig(String x, String y, String pairs, String labels, double evalFraction, long seed,
        double corruption) implements SourceConfig {
    /** Name of this source in config files. */
    public static final String KIND = "files";

    /** Validates the numbers; the paths are checked when the source is built. */
    public FilePairsConfig {
        x = x == null ? "" : x;
        y = y == null ? "" : y;
        pairs = pairs == null ? "" : pairs;
        labels = labels == null ? "" : labels;
        Checks.check(evalFraction >= 0 && evalFraction < 1, "evalFraction", "must be in [0, 1), got " + evalFraction);
        Checks.check(seed >= 0, "seed", "must be >= 0, got " + seed);
        Checks.check(corruption >= 0 && corruption <= 1, "corruption", "must be in [0, 1], got " + corruption);
    }

    /** No files yet; 20 % held out, seed 0, no corruption. */
    public static FilePairsConfig defaults() {
        return new FilePairsConfig("", "", "", "", 0.2, 0, 0);
    }

    /** @return files paired by index, with the default split */
    public static FilePairsConfig of(String x, String y) {
        return new FilePairsConfig(x, y, "", "", 0.2, 0, 0);
    }

    /** @return a copy with a many-to-one index array */
    public FilePairsConfig withPairs(String path) {
        return new FilePairsConfig(x, y, path, labels, evalFraction, seed, corruption);
    }

    /** @return a copy with class labels */
    public FilePairsConfig withLabels(String path) {
        return new FilePairsConfig(x, y, pairs, path, evalFraction, seed, corruption);
    }

    /** @return a copy with another held-out share */
    public FilePairsConfig withEvalFraction(double f) {
        return new FilePairsConfig(x, y, pairs, labels, f, seed, corruption);
    }

    /** @return a copy with another corruption probability */
    public FilePairsConfig withCorruption(double p) {
        return new FilePairsConfig(x, y, pairs, labels, evalFraction, seed, p);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Reads and validates the files, then splits. */
    @Override
    public PairedSource build() {
        if (x.isBlank() || y.isBlank()) {
            throw new UserException("data.x and data.y: both feature files are required for data.kind files, got x='"
                    + x + "', y='" + y + "'");
        }
        Matrix mx = MatrixFiles.read(x);
        Matrix my = MatrixFiles.read(y);
        Matrix mp = pairs.isBlank() ? null : MatrixFiles.read(pairs);
        Matrix ml = labels.isBlank() ? null : MatrixFiles.read(labels);
        return new FinitePairedSource(PairedData.of(mx, my, mp, ml), evalFraction, seed, corruption);
    }
}
