package org.gaplab.engine.rundir;

import org.apache.logging.log4j.LogManager;
import org.gaplab.core.IoReasons;
import org.gaplab.core.UnavailableException;
import org.gaplab.core.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which output directories a command may write: gaplab never overwrites what it did not write.
 *
 * <p>The rule: an {@code --out} may be written when it does not exist, when it is empty (a lock file
 * left by a killed gaplab process counts as empty), or when it holds the marker file of the same kind
 * of output ({@link Kind}): {@code config.json} and {@code model.json} for a train run,
 * {@code sweep.json} for a sweep shard or merged sweep, {@code experiment.json} for a reproduction.
 * Anything else (your own files, or another kind of gaplab output, e.g. a sweep into a train run) is
 * refused with exit 2 before anything is written, unless the command was given {@code --force}, which
 * writes into it anyway and replaces files of the names the command writes (other files are left).
 * The root directory, top-level directories ({@code /tmp}, {@code /usr}, ...) and the home directory
 * itself are refused even with {@code --force}.
 */
public final class OutputDirectory {
    /** Kinds of gaplab output directories, each known by its marker files. */
    public enum Kind {
        /** A train run: config.json and model.json. */
        TRAIN("a train run", List.of("config.json", "model.json")),
        /** A sweep shard or a merged sweep: sweep.json. */
        SWEEP("a sweep", List.of("sweep.json")),
        /** A reproduction (or one shard, or a merge of shards): experiment.json. */
        REPRODUCTION("a reproduction", List.of("experiment.json"));

        private final String label;
        private final List<String> markers;

        Kind(String label, List<String> markers) {
            this.label = label;
            this.markers = markers;
        }

        /** @return e.g. "a train run" */
        public String label() {
            return label;
        }

        boolean marks(Path dir) {
            return markers.stream().allMatch(m -> Files.isRegularFile(dir.resolve(m), LinkOption.NOFOLLOW_LINKS));
        }
    }

    private OutputDirectory() {}

    /**
     * Refuses an output directory this command may not write.
     *
     * @param out the directory
     * @param kind what the command writes there
     * @param force whether the user allowed writing into a directory of other files
     * @throws UserException (exit 2) naming the directory and the way out
     */
    public static void requireWritable(Path out, Kind kind, boolean force) {
        requireNotSystem(out);
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new UserException("--out " + out + " is a file, not a directory; choose a directory");
        }
        List<String> foreign = foreignEntries(out);
        if (foreign.isEmpty() || kind.marks(out)) {
            return;
        }
        String other = null;
        for (Kind k : Kind.values()) {
            if (k != kind && k.marks(out)) {
                other = k.label();
            }
        }
        if (force) {
            LogManager.getLogger(OutputDirectory.class).warn("--force: writing {} into {}, which holds {}", kind.label(), out,
                    other != null ? other : "files gaplab did not write");
            return;
        }
        throw new UserException("--out " + out + " holds " + (other != null ? other + ", not " + kind.label()
                : "files gaplab did not write (" + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                        + (foreign.size() > 3 ? ", ..." : "") + ")")
                + "; choose a new or empty directory, or pass --force to write into it anyway (files of the names it writes"
                + " are replaced)");
    }

    /** @return the names in {@code dir} other than a lock file */
    static List<String> foreignEntries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(DirectoryLock.FILE_NAME)).sorted().toList();
        } catch (IOException e) {
            throw new UnavailableException("cannot list " + dir + ": " + IoReasons.of(e), e);
        }
    }

    /**
     * Refuses the root directory, a top-level directory and the home directory itself as an output
     * directory (even with --force): a command writes a dozen files into its --out.
     *
     * @param out the directory
     */
    public static void requireNotSystem(Path out) {
        Path p = real(out);
        Path home = real(Path.of(System.getProperty("user.home", "/")));
        if (p.getNameCount() < 2 || p.equals(home)) {
            throw new UserException("--out " + out + " is " + (p.getNameCount() == 0 ? "the root directory"
                    : p.equals(home) ? "your home directory" : "a top-level system directory") + "; gaplab writes a dozen files into"
                    + " its output directory: choose a directory of its own, e.g. " + out.resolve("gaplab-out"));
        }
    }

    /** @return the real path of an existing path (links resolved), else the normalised absolute path */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
