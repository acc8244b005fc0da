package org.gaplab.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Issue 28, 7b: a user's experiment in a separate project (examples/custom-experiment), compiled
 * against gaplab's classes and found through ServiceLoader, gets `gaplab reproduce NAME`, shards,
 * resume and merge as the paper's experiments do, and runs from Java through the runner.
 */
class CustomExperimentExampleTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path PROJECT = ROOT.resolve("examples/custom-experiment");

    @Test
    void aUserExperimentRunsShardsMergesAndRunsFromJava(@TempDir Path tmp) throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-Xlint:all", "-Werror", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString()));
        try (Stream<Path> s = Files.walk(PROJECT.resolve("src/main/java"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        Path services = classes.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.copy(PROJECT.resolve("src/main/resources/META-INF/services/org.gaplab.engine.experiment.Experiment"),
                services.resolve("org.gaplab.engine.experiment.Experiment"));
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("examples/custom-experiment")
                .contains("GAPLAB_CLASSPATH=target/classes");

        ClassLoader saved = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Path whole = tmp.resolve("whole");
            CliTest.Outcome one = CliTest.gaplab("reproduce", "gap-vs-dim", "--quick", "--device", "cpu", "--out", whole.toString());
            assertThat(one.code()).as(one.err()).isZero();
            assertThat(whole.resolve("summary.md")).content().contains("The centroid gap falls as the embedding dimension grows");
            assertThat(whole.resolve("gap_vs_dim.png")).isNotEmptyFile();
            List<String> rows = Files.readAllLines(whole.resolve("gap_vs_dim.csv"));
            assertThat(rows).hasSize(1 + 3 * 2);
            // resume: a rerun finds every unit done and renders the same table
            CliTest.Outcome again = CliTest.gaplab("reproduce", "gap-vs-dim", "--quick", "--device", "cpu", "--out", whole.toString());
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(Files.readAllLines(whole.resolve("gap_vs_dim.csv"))).isEqualTo(rows);
            // two shards merged give what one process gave
            for (int i = 0; i < 2; i++) {
                CliTest.Outcome s = CliTest.gaplab("reproduce", "gap-vs-dim", "--quick", "--device", "cpu", "--shard", i + "/2",
                        "--out", tmp.resolve("s" + i).toString());
                assertThat(s.code()).as(s.err()).isZero();
            }
            CliTest.Outcome merged = CliTest.gaplab("merge", tmp.resolve("s0").toString(), tmp.resolve("s1").toString(), "--out",
                    tmp.resolve("merged").toString());
            assertThat(merged.code()).as(merged.err()).isZero();
            assertThat(Files.readAllLines(tmp.resolve("merged/gap_vs_dim.csv"))).isEqualTo(rows);
            // unknown names list the user's experiment beside the paper's
            CliTest.Outcome unknown = CliTest.gaplab("reproduce", "gap-vs-dimension");
            assertThat(unknown.code()).isEqualTo(2);
            assertThat(unknown.err()).contains("gap-vs-dim");

            // from Java, through the runner
            Path out = tmp.resolve("java");
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            try {
                System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
                loader.loadClass("example.RunGapVsDimension").getMethod("main", String[].class)
                        .invoke(null, (Object) new String[] {out.toString()});
            } finally {
                System.setOut(stdout);
            }
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("complete: true");
            JsonNode meta = Json.MAPPER.readTree(out.resolve("experiment.json").toFile());
            assertThat(meta.path("experiment").asText()).isEqualTo("gap-vs-dim");
            assertThat(Files.readAllLines(out.resolve("gap_vs_dim.csv"))).hasSize(1 + 3 * 3);   // --set seeds=3
        } finally {
            Thread.currentThread().setContextClassLoader(saved);
        }
    }
}
