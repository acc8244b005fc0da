package org.gaplab.engine.rundir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

class DirectoryLockTest {
    @TempDir
    Path dir;

    /** Holds the lock of the directory in args[0] until killed (run in a child JVM by the test). */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (DirectoryLock l = DirectoryLock.acquire(Path.of(args[0]), "holder")) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }

    /** Another process holds the lock: refused naming its PID; once it is killed (-9), the stale lock does not block. */
    @Test
    void aLiveHolderInAnotherProcessBlocksAndAKilledOneDoesNot() throws Exception {
        Path d = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), d.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(r.readLine()).isEqualTo("locked");
            assertThat(DirectoryLock.isHeld(d)).isTrue();
            assertThatThrownBy(() -> DirectoryLock.acquire(d, "second")).isInstanceOf(DirectoryLock.HeldException.class)
                    .hasMessageContaining("is being written by process " + p.pid() + " (holder)");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(DirectoryLock.isHeld(d)).isFalse();
        try (DirectoryLock l = DirectoryLock.acquire(d, "after the kill")) {
            assertThat(DirectoryLock.isHeld(d)).isTrue();
        }
    }

    @Test
    void theSameProcessCannotLockTwice() {
        try (DirectoryLock l = DirectoryLock.acquire(dir, "first")) {
            assertThatThrownBy(() -> DirectoryLock.acquire(dir, "second")).isInstanceOf(DirectoryLock.HeldException.class)
                    .hasMessageContaining("process " + ProcessHandle.current().pid() + " (first)");
        }
        DirectoryLock.acquire(dir, "third").close();
    }
}
