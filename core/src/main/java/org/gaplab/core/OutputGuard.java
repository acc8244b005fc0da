package org.gaplab.core;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guards the output directories a process writes: nothing is written through a symbolic link, and
 * nothing is written into a directory that was moved or deleted since it was locked.
 *
 * <p>A directory's lock ({@code DirectoryLock} in the engine) {@link #hold holds} it here with its
 * identity, the file key (device and inode) of the directory. Every writer of gaplab (atomic JSON,
 * {@code .npy}, figures, checkpoints, appended logs) calls {@link #check} before it writes: when a
 * held directory above the file no longer has its identity (moved away, deleted, replaced by
 * another run's directory of the same name), the write is refused with one line instead of
 * recreating the path and writing into a directory whose lock this process does not hold.
 *
 * <p>Files replaced by an atomic rename never follow a link (the rename replaces the link itself);
 * files opened in place (appends, the lock file) are opened with {@code O_NOFOLLOW} and refused
 * when they are links, so a link planted in an output directory never carries a write outside it.
 */
public final class OutputGuard {
    private static final Map<Path, Object> HELD = new ConcurrentHashMap<>();

    private OutputGuard() {}

    /** A write refused because its directory changed under it, or because the target is a link: exit 2. */
    public static final class RefusedWriteException extends UnavailableException {
        private static final long serialVersionUID = 1L;

        /** @param message one line */
        public RefusedWriteException(String message) {
            super(message);
        }
    }

    /**
     * Records a locked directory's identity.
     *
     * @param dir the directory, which exists
     * @throws IOException when it cannot be read
     */
    public static void hold(Path dir) throws IOException {
        HELD.put(key(dir), identity(dir));
    }

    /** @param dir a directory no longer written by this process */
    public static void release(Path dir) {
        HELD.remove(key(dir));
    }

    private static Path key(Path dir) {
        return dir.toAbsolutePath().normalize();
    }

    /** @return the directory's file key (device and inode on Linux), read without following a link at its last component */
    private static Object identity(Path dir) throws IOException {
        BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            // a directory given as a link is the user's choice: identify what it points to
            a = Files.readAttributes(dir, BasicFileAttributes.class);
        }
        Object k = a.fileKey();
        return k != null ? k : a.creationTime();
    }

    /**
     * Refuses a write into a held directory that has moved or gone.
     *
     * @param file the file about to be written
     * @throws RefusedWriteException naming the directory
     */
    public static void check(Path file) {
        if (HELD.isEmpty()) {
            return;
        }
        Path f = key(file);
        for (Map.Entry<Path, Object> e : HELD.entrySet()) {
            if (!f.startsWith(e.getKey())) {
                continue;
            }
            Object now;
            try {
                now = identity(e.getKey());
            } catch (IOException ex) {
                now = null;
            }
            if (!e.getValue().equals(now)) {
                throw new RefusedWriteException("output directory " + e.getKey() + " was moved or deleted while gaplab wrote to it"
                        + (now == null ? " (it is gone)" : " (another directory now has its name)") + "; stopped without writing "
                        + file.getFileName() + " rather than write where this process holds no lock");
            }
        }
    }

    /**
     * Refuses a file that is a symbolic link (a write through it could land outside the directory).
     *
     * @param file the file about to be written or opened
     */
    public static void refuseLink(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new RefusedWriteException(file + " is a symbolic link; gaplab never writes through one (a link in an output"
                    + " directory could send the write outside it); remove it and retry");
        }
    }

    /**
     * Opens a file for appending, creating it, without following a link.
     *
     * @param file the file
     * @return a UTF-8 writer
     * @throws IOException when it cannot be opened (a link: "Too many levels of symbolic links")
     */
    public static BufferedWriter appendWriter(Path file) throws IOException {
        check(file);
        refuseLink(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                LinkOption.NOFOLLOW_LINKS);
        return new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8));
    }
}
