package org.gaplab.engine.rundir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Every file's bytes under a directory, to check that a refused operation changed nothing. */
public record DirectorySnapshot(Path root, Map<String, byte[]> files) {
    /** @return the snapshot of {@code root} now */
    public static DirectorySnapshot of(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return new DirectorySnapshot(root, files);
    }

    /** Asserts the directory holds exactly the same files with the same bytes as when taken. */
    public void assertUnchanged() throws IOException {
        Map<String, byte[]> now = of(root).files();
        assertThat(now.keySet()).as("files in " + root).isEqualTo(files.keySet());
        files.forEach((name, bytes) -> assertThat(now.get(name)).as(name).isEqualTo(bytes));
    }
}
