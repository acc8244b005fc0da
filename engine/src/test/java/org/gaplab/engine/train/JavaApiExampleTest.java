package org.gaplab.engine.train;

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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * README's Java API section is a program that compiles and runs: its code block is the example
 * project's source, word for word, and compiled against gaplab's classes it trains a run and
 * writes the run directory where it says.
 */
class JavaApiExampleTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void readmeExampleIsTheExampleProjectAndItRuns(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Java API"), readme.indexOf("## Measuring the gap"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(m.find()).as("a java block in README's Java API section").isTrue();
        String code = m.group(1);
        Path source = ROOT.resolve("examples/java-api/src/main/java/example/TrainOnce.java");
        assertThat(code).isEqualTo(Files.readString(source));
        assertThat(section).contains("<artifactId>gaplab-engine</artifactId>");
        assertThat(Files.readString(ROOT.resolve("examples/java-api/pom.xml"))).contains("<artifactId>gaplab-engine</artifactId>");

        Path src = tmp.resolve("src/example/TrainOnce.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path runDir = tmp.resolve("run");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass("example.TrainOnce").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {runDir.toString(), "200"});
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("COMPLETED: 200 steps").contains("run directory " + runDir);
        JsonNode summary = Json.MAPPER.readTree(runDir.resolve("summary.json").toFile());
        assertThat(summary.path("status").asText()).isEqualTo("completed");
        assertThat(summary.path("steps_total").asLong()).isEqualTo(200);
        for (String f : List.of("config.json", "metrics.jsonl", "checkpoint.ckpt", "provenance.json")) {
            assertThat(runDir.resolve(f)).exists();
        }
        // two unit vectors from tower 1
        assertThat(printed).containsPattern("z = \\[\\[-?\\d");
    }
}
