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

    /**
     * Issue 28: README's Java section also measures a run (its held-out split, its own tau) and runs
     * a sweep; each block is its example program, word for word, and runs.
     */
    @Test
    void measureAndSweepExamplesAreTheReadmeBlocksAndRun(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Java API"), readme.indexOf("## Measuring the gap"));
        Matcher m = Pattern.compile("```java\\n(package example;.*?)```", Pattern.DOTALL).matcher(section);
        java.util.Map<String, String> blocks = new java.util.LinkedHashMap<>();
        while (m.find()) {
            Matcher cls = Pattern.compile("public class (\\w+)").matcher(m.group(1));
            assertThat(cls.find()).isTrue();
            blocks.put(cls.group(1), m.group(1));
        }
        assertThat(blocks).containsKeys("TrainOnce", "MeasureRun", "SweepTaus");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<String> args = new java.util.ArrayList<>(List.of("-Xlint:all", "-Werror", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString()));
        for (var e : blocks.entrySet()) {
            Path file = ROOT.resolve("examples/java-api/src/main/java/example/" + e.getKey() + ".java");
            assertThat(e.getValue()).as(file.toString()).isEqualTo(Files.readString(file));
            Path src = tmp.resolve("src/example/" + e.getKey() + ".java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, e.getValue());
            args.add(src.toString());
        }
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path runDir = tmp.resolve("measured");
        String measured = runMain(classes, "example.MeasureRun", runDir.toString(), ROOT.resolve("examples/digits.yaml").toString());
        assertThat(measured).contains("held-out pairs: 359").contains("(from the model)").contains("m = 179 per side")
                .contains("centroid_gap = ").contains("(whole set)");
        JsonNode report = Json.MAPPER.readTree(runDir.resolve("gap_report.json").toFile());
        assertThat(report.path("settings").path("tau").asDouble()).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(report.path("input").path("n1").asInt()).isEqualTo(359);

        Path sweep = tmp.resolve("taus");
        String swept = runMain(classes, "example.SweepTaus", sweep.toString(), "60");
        assertThat(swept.lines().filter(l -> l.startsWith("tau ")).count()).isEqualTo(6);
        assertThat(sweep.resolve("runs.csv")).isNotEmptyFile();
    }

    private String runMain(Path classes, String main, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(main).getMethod("main", String[].class).invoke(null, (Object) args);
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
