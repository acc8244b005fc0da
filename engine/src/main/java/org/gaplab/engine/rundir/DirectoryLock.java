package org.gaplab.engine.rundir;

import org.gaplab.core.IoReasons;
import org.gaplab.core.OutputGuard;
import org.gaplab.core.UnavailableException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per output directory: an exclusive lock ({@link FileChannel#tryLock()}) on the file
 * {@value #FILE_NAME} inside it, held for as long as a process writes there. The file records the
 * holder's PID and command so that a refused second writer can name it.
 *
 * <p>The operating system drops the lock when its holder exits, however it exits (kill -9
 * included), so a lock file left behind by a dead process never blocks: only a live holder does.
 * The file itself stays (removing it on release would let two later writers lock two different
 * files of the same name).
 *
 * <p>The lock file is opened without following a symbolic link (a link there is refused: it could
 * truncate a file outside the directory), and the directory's identity is held in {@link OutputGuard}
 * while locked, so a write after the directory was moved or deleted is refused rather than
 * recreating the path.
 */
public final class DirectoryLock implements AutoCloseable {
    /** Name of the lock file inside a locked directory. */
    public static final String FILE_NAME = ".gaplab.lock";

    private final FileChannel channel;
    private final FileLock lock;
    private final Path dir;
    /** The highest directory this lock created (null when the directory existed): removed on release while it holds nothing else. */
    private final Path created;

    private DirectoryLock(FileChannel channel, FileLock lock, Path dir, Path created) {
        this.channel = channel;
        this.lock = lock;
        this.dir = dir;
        this.created = created;
    }

    /**
     * Creates {@code dir} if needed and locks it.
     *
     * @param dir the output directory
     * @param what the command holding it, recorded for the next writer's error message
     * @return the held lock; close it when done writing
     * @throws HeldException when another live process (or this one) holds the directory
     */
    public static DirectoryLock acquire(Path dir, String what) {
        Path file = dir.resolve(FILE_NAME);
        FileChannel ch;
        Object opened;
        Path created = null;
        try {
            for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
                created = p;
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
                throw new UnavailableException("cannot use " + dir + " as an output directory: it is a file, not a directory");
            }
            Files.createDirectories(dir);
            OutputGuard.refuseLink(file);
            refuseLinks(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            opened = fileKey(file);
        } catch (FileSystemException e) {
            throw new UnavailableException("cannot lock " + dir + ": " + (Files.isSymbolicLink(file)
                    ? FILE_NAME + " is a symbolic link; gaplab never writes through one" : IoReasons.of(e)), e);
        } catch (IOException e) {
            throw new UnavailableException("cannot lock " + dir + ": " + IoReasons.of(e), e);
        }
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                String holder = holder(ch);
                ch.close();
                throw new HeldException(dir + " is being written by " + holder + "; wait for it to finish or choose another"
                        + " output directory (only one gaplab process may write a directory at a time)");
            }
            byte[] record = ("pid " + ProcessHandle.current().pid() + " (" + what + ")\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(record), 0);
            // the file at the path must be the one locked: a releasing process removes the lock file of a
            // directory it created and left empty (while it still holds the lock), and a lock taken on that
            // removed file would guard nothing. (Reading the file by its path here would open and close a
            // second descriptor, which drops this process's fcntl lock: compare file keys instead.)
            if ("gone".equals(opened) || !opened.equals(fileKey(file))) {
                ch.close();
                throw new HeldException(dir + " changed while it was being locked (another gaplab process released it);"
                        + " retry");
            }
            OutputGuard.hold(dir);
            return new DirectoryLock(ch, lock, dir, created);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UnavailableException("cannot lock " + dir + ": " + IoReasons.of(e), e);
        }
    }

    /** @return the file key (device and inode) of {@code file} without following a link, or a marker when it is gone */
    private static Object fileKey(Path file) {
        try {
            Object k = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            return k != null ? k : "no file keys here";
        } catch (IOException e) {
            return "gone";
        }
    }

    /**
     * Refuses a directory holding a symbolic link among its entries, before anything is written: a
     * link where gaplab writes (train.log, metrics.jsonl, runs.jsonl, ...) could carry a write outside.
     */
    private static void refuseLinks(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                if (Files.isSymbolicLink(p)) {
                    throw new OutputGuard.RefusedWriteException("cannot write " + dir + ": " + p.getFileName()
                            + " is a symbolic link; gaplab never writes through one (it could carry a write outside the directory);"
                            + " remove it and retry");
                }
            }
        }
    }

    /**
     * Refuses further writes when the directory was moved or deleted since it was locked.
     *
     * @throws OutputGuard.RefusedWriteException naming the directory
     */
    public void checkIdentity() {
        OutputGuard.check(dir.resolve(FILE_NAME));
    }

    /** @return "process 1234 (gaplab train)" from the lock file, or a vaguer phrase while it is being written */
    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(512);
        ch.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return text.startsWith("pid ") ? "process " + text.substring(4) : "another gaplab process";
    }

    /** @return whether a live process holds {@code dir}'s lock (without taking it) */
    public static boolean isHeld(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return false;
        }
        if (Files.isSymbolicLink(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        boolean same;
        try {
            checkIdentity();
            same = true;
        } catch (OutputGuard.RefusedWriteException e) {
            same = false; // moved or replaced: whatever is at the path now is not ours to remove
        }
        OutputGuard.release(dir);
        try {
            if (same) {
                removeIfUnused();
            }
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UnavailableException("cannot release a directory lock: " + IoReasons.of(e), e);
        }
    }

    /**
     * A command refused after it locked a directory it created leaves no trace: the lock file and the
     * directories it created go while they hold nothing else. A process that opened the lock file
     * meanwhile finds its directory gone at its first write ({@link OutputGuard}), so no two writers
     * ever share the directory.
     */
    private void removeIfUnused() throws IOException {
        if (created == null) {
            return;
        }
        Path abs = dir.toAbsolutePath().normalize();
        try (var entries = Files.list(abs)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals(FILE_NAME))) {
                return;
            }
        } catch (IOException e) {
            return; // moved or gone: nothing of ours to remove
        }
        Files.deleteIfExists(abs.resolve(FILE_NAME));
        for (Path p = abs; p != null && p.startsWith(created); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    /** The directory is held by another writer: exit code 2, one line naming the holder. */
    public static final class HeldException extends UnavailableException {
        private static final long serialVersionUID = 1L;

        /** @param message one line naming the directory and its holder */
        public HeldException(String message) {
            super(message);
        }
    }
}
