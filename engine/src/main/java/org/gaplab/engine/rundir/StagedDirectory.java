package org.gaplab.engine.rundir;

import org.gaplab.core.IoReasons;
import org.gaplab.core.UnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output directory built aside and renamed into place, so a command killed half way (a merge
 * stopped by SIGTERM) leaves nothing in the target that blocks its rerun.
 *
 * <p>The outputs are written into a locked sibling {@code .NAME.staging-PID-N} of the target; {@link #install}
 * then renames it to the target (when the target is absent), swaps it with the target's earlier
 * contents (an earlier output of the same kind, or an empty directory), or, with {@code --force} into
 * a directory of other files, moves each output into it. Stale staging directories of dead processes
 * are removed when the next one starts.
 */
public final class StagedDirectory implements AutoCloseable {
    private final Path target;
    private final Path stage;
    private final DirectoryLock lock;
    private boolean installed;

    private StagedDirectory(Path target, Path stage, DirectoryLock lock) {
        this.target = target;
        this.stage = stage;
        this.lock = lock;
    }

    /**
     * Creates and locks a staging directory beside {@code target}.
     *
     * @param target where the outputs go in the end
     * @param what the command, recorded in the lock
     * @return the staging directory; write into {@link #path()}, then {@link #install}
     */
    public static StagedDirectory open(Path target, String what) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String prefix = "." + abs.getFileName() + ".staging-";
        try {
            Files.createDirectories(parent);
            try (Stream<Path> s = Files.list(parent)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !DirectoryLock.isHeld(p)) {
                        deleteTree(p);  // left by a killed process
                    }
                }
            }
        } catch (IOException e) {
            throw new UnavailableException("cannot prepare " + target + ": " + IoReasons.of(e), e);
        }
        Path stage = parent.resolve(prefix + ProcessHandle.current().pid() + "-" + System.nanoTime());
        return new StagedDirectory(abs, stage, DirectoryLock.acquire(stage, what));
    }

    /** @return where to write the outputs */
    public Path path() {
        return stage;
    }

    /**
     * Puts the staged outputs at the target.
     *
     * @param merge true to move each staged entry into an existing target that holds other files
     *     (--force), false to replace the target as a whole (absent, empty, or an earlier output of the same kind)
     */
    public void install(boolean merge) {
        try (DirectoryLock held = Files.isDirectory(target) ? DirectoryLock.acquire(target, "gaplab (installing outputs)") : null) {
            if (held == null) {
                Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
            } else if (merge) {
                try (Stream<Path> s = Files.list(stage)) {
                    for (Path p : s.filter(p -> !p.getFileName().toString().equals(DirectoryLock.FILE_NAME)).toList()) {
                        Path dest = target.resolve(p.getFileName());
                        deleteTree(dest);
                        Files.move(p, dest, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
                deleteTree(stage);
            } else {
                Path aside = target.resolveSibling("." + target.getFileName() + ".replaced-" + ProcessHandle.current().pid()
                        + "-" + System.nanoTime());
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(aside);
            }
            installed = true;
        } catch (IOException e) {
            throw new UnavailableException("cannot move the outputs into " + target + ": " + IoReasons.of(e), e);
        }
    }

    /** Releases the staging lock; outputs never installed are deleted. */
    @Override
    public void close() {
        lock.close();
        if (!installed) {
            try {
                deleteTree(stage);
            } catch (IOException e) {
                // best effort: the next run removes it
            }
        }
    }

    /** Deletes a file or a directory tree, never following links. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
