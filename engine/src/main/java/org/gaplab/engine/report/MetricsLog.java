package org.gaplab.engine.report;

import com.fasterxml.jackson.databind.JsonNode;

import org.gaplab.core.Json;
import org.gaplab.core.UnavailableException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per line, each with {@code schema_version}, {@code kind}
 * ("train" lines at log intervals, "measure" lines from periodic measurement, "eval" at the end)
 * and {@code step}. Lines are flushed as written so a crashed run keeps what it logged.
 */
public final class MetricsLog implements AutoCloseable {
    /** Schema version of each line. */
    public static final int SCHEMA_VERSION = 1;

    private final BufferedWriter out;
    private final Path file;

    private MetricsLog(BufferedWriter out, Path file) {
        this.out = out;
        this.file = file;
    }

    /**
     * Opens the log for appending; when resuming, first drops lines past {@code keepUpToStep} (they
     * were written after the checkpoint the run resumes from and will be written again).
     *
     * @param file the log file
     * @param keepUpToStep keep lines with step at most this; negative to keep everything
     * @return the open log
     */
    public static MetricsLog open(Path file, long keepUpToStep) {
        org.gaplab.core.OutputGuard.refuseLink(file);
        try {
            if (keepUpToStep >= 0 && Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && Json.MAPPER.readTree(line).path("step").asLong() <= keepUpToStep) {
                        kept.add(line);
                    }
                }
                Json.writeAtomically(file, (String.join("\n", kept) + (kept.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
            }
            return new MetricsLog(org.gaplab.core.OutputGuard.appendWriter(file), file);
        } catch (IOException e) {
            throw new UnavailableException("cannot open " + file + ": " + org.gaplab.core.IoReasons.of(e), e);
        }
    }

    /**
     * Appends one line.
     *
     * @param kind "train", "measure" or "eval"
     * @param step steps completed
     * @param values the metrics (serialisable by Jackson)
     */
    public synchronized void append(String kind, long step, Map<String, ?> values) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("schema_version", SCHEMA_VERSION);
        line.put("kind", kind);
        line.put("step", step);
        line.putAll(values);
        try {
            out.write(Json.line(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UnavailableException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every line of a metrics file. */
    public static List<JsonNode> read(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(Json.MAPPER.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UnavailableException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
