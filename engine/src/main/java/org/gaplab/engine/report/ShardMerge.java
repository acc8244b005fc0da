package org.gaplab.engine.report;

import org.gaplab.core.UnavailableException;
import org.gaplab.engine.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What merging the shards of a sweep and of a reproduction share, written once with its
 * refusals: which directories are shards, a shard given twice, a shard missing, and an output
 * directory that is one of the inputs. Each merge adds its own checks (same sweep or config,
 * every row or unit present) between {@link Shards#add} calls.
 */
public final class ShardMerge {
    private ShardMerge() {}

    /**
     * The shard directories among {@code given}: a directory holding {@code metaFile} (or a path
     * that is no directory) is one; any other directory stands for the shard directories directly
     * inside it, {@code out} left out, in name order.
     *
     * @param given the directories on the command line
     * @param out where the merge goes
     * @param metaFile the file that marks a shard directory (sweep.json, experiment.json)
     * @return the shard directories
     * @throws ConfigException when there is none
     */
    public static List<Path> shardDirs(List<Path> given, Path out, String metaFile) {
        List<Path> dirs = new ArrayList<>();
        Path o = canonical(out);
        for (Path d : given) {
            if (Files.exists(d.resolve(metaFile)) || !Files.isDirectory(d)) {
                dirs.add(d);
                continue;
            }
            try (var children = Files.list(d)) {
                children.filter(c -> Files.exists(c.resolve(metaFile))).filter(c -> !canonical(c).equals(o)).sorted().forEach(dirs::add);
            } catch (IOException e) {
                throw new UnavailableException("cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        if (dirs.isEmpty()) {
            throw new ConfigException("merge needs at least one shard directory");
        }
        return dirs;
    }

    /**
     * Refuses an output directory that is one of the inputs (or a shard found inside one): writing
     * the merge there would overwrite a shard's own files.
     *
     * @param out where the merge goes
     * @param given the directories on the command line
     * @param shardDirs the shard directories found in them
     */
    public static void requireOutsideInputs(Path out, List<Path> given, List<Path> shardDirs) {
        Path o = canonical(out);
        for (List<Path> dirs : List.of(given, shardDirs)) {
            for (Path d : dirs) {
                if (canonical(d).equals(o)) {
                    throw new ConfigException("--out " + out + " is one of the inputs (" + d + "); merging there would overwrite"
                            + " that shard; choose another --out");
                }
            }
        }
    }

    /** @return the real path when it exists, else the normalised absolute path */
    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** The shards of one merge by index, refusing one given twice and, at the end, one missing. */
    public static final class Shards {
        private final Map<Integer, Path> byIndex = new TreeMap<>();

        /**
         * @param index the shard's index i of i/n
         * @param label the shard as written, i/n
         * @param dir its directory
         * @throws ConfigException when that shard was given already
         */
        public void add(int index, String label, Path dir) {
            Path before = byIndex.putIfAbsent(index, dir);
            if (before != null) {
                throw new ConfigException("shard " + label + " is given twice (" + before + ", " + dir + ")");
            }
        }

        /**
         * @param count the shard count n
         * @return the shard directories in index order
         * @throws ConfigException naming the missing shards when some index below {@code count} was not given
         */
        public List<Path> requireAll(int count) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!byIndex.containsKey(i)) {
                    missing.add(i + "/" + count);
                }
            }
            if (!missing.isEmpty()) {
                throw new ConfigException("cannot merge: missing shard(s) " + String.join(", ", missing));
            }
            return new ArrayList<>(byIndex.values());
        }
    }
}
