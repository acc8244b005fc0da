package org.gaplab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.gaplab.core.OutputGuard;
import org.gaplab.engine.checkpoint.Checkpoint;
import org.gaplab.engine.config.ConfigLoader;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceRequest;
import org.gaplab.engine.rundir.DirectorySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Issue 27, row 4: a run whose directory is moved away (and another run started at the same path),
 * or deleted, stops at its next write with a clear error instead of recreating the path and
 * overwriting the second run's files.
 */
class MovedRunDirectoryTest {
    @TempDir
    Path dir;

    private static RunConfig config() {
        return ConfigLoader.override(RunConfig.defaults(), Map.of("steps", 60, "eval.size", 100, "schedule.log_every", 20,
                "schedule.checkpoint_every", 20));
    }

    /** Runs training and, after its first checkpoint, does {@code action} to the run directory. */
    private Throwable trainWhile(Path out, java.util.function.Consumer<Path> action) {
        TrainingRun run = TrainingRun.builder().setConfig(config()).optOutputDir(out).optDevice(DeviceRequest.parse("cpu"))
                .optListener(new TrainingListener() {
                    private boolean done;

                    @Override
                    public void onCheckpoint(TrainingRun r, Trainer trainer, Path file) {
                        if (!done) {
                            done = true;
                            action.accept(out);
                        }
                    }
                }).build();
        try (RunResult ignored = run.call()) {
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void aMovedDirectoryStopsTheRunAndTheNewDirectoryAtItsPathIsUntouched() throws Exception {
        Path out = dir.resolve("run");
        Path moved = dir.resolve("moved");
        Path[] snapshotOf = new Path[1];
        DirectorySnapshot[] before = new DirectorySnapshot[1];
        Throwable t = trainWhile(out, p -> {
            try {
                Files.move(p, moved);
                // a second run at the same path: its files stand in for its checkpoint and summary
                Files.createDirectories(p);
                Files.writeString(p.resolve(Checkpoint.FILE_NAME), "the second run's checkpoint");
                Files.writeString(p.resolve("summary.json"), "{\"seed\": 1}\n");
                snapshotOf[0] = p;
                before[0] = DirectorySnapshot.of(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(t).isInstanceOf(OutputGuard.RefusedWriteException.class).hasMessageContaining("was moved or deleted")
                .hasMessageContaining("another directory now has its name");
        before[0].assertUnchanged();
        // the moved directory keeps the first run's own files; nothing claims it completed
        assertThat(moved.resolve(Checkpoint.FILE_NAME)).exists();
        assertThat(moved.resolve("summary.json")).doesNotExist();
    }

    @Test
    void aDeletedDirectoryIsNotRecreated() {
        Path out = dir.resolve("gone");
        Throwable t = trainWhile(out, p -> {
            try (var walk = Files.walk(p)) {
                for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(t).isInstanceOf(OutputGuard.RefusedWriteException.class).hasMessageContaining("it is gone");
        assertThat(out).doesNotExist();
    }
}
