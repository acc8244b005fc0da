package org.gaplab.engine.rundir;

import org.gaplab.core.UnavailableException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 */
public final class DirectoryLock implements AutoCloseable {
    /** Name of the lock file inside a locked directory. */
    public static final String FILE_NAME = ".gaplab.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
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
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UnavailableException("cannot lock " + dir + ": " + e.getMessage(), e);
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
            return new DirectoryLock(ch, lock);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UnavailableException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
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
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
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
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UnavailableException("cannot release a directory lock: " + e.getMessage(), e);
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
