package org.gaplab.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The one Jackson setup of gaplab, and atomic writes of JSON files.
 *
 * <p>Both mappers add every Jackson {@link Module} that a jar on the class path registers under
 * {@code META-INF/services/com.fasterxml.jackson.databind.Module}: that is how a higher module
 * teaches this one its own types (the engine registers how {@code data.kind} selects a source
 * config) without this bottom layer knowing them.
 */
public final class Json {
    /** Strict mapper for JSON: unknown keys and nulls for primitives fail. */
    public static final ObjectMapper MAPPER = configure(JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build());

    /** The same rules for YAML input. */
    public static final ObjectMapper YAML = configure(YAMLMapper.builder(new YAMLFactory())
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build());

    private Json() {}

    private static ObjectMapper configure(ObjectMapper m) {
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        m.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        m.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        // snake_case everywhere a person or program reads: config keys, reports, metrics
        m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        // the class loader that loaded gaplab, not whichever thread first touched this class
        m.registerModules(ObjectMapper.findModules(Json.class.getClassLoader()));
        return m;
    }

    /** @return {@code value} as pretty JSON */
    public static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return {@code value} as one JSON line (for JSONL and stdout) */
    public static String line(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes pretty JSON atomically (temp file + rename), so readers never see half a file. */
    public static void write(Path file, Object value) {
        writeAtomically(file, (pretty(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Temp files are created owner-only; results in a run directory are meant to be shared. */
    private static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: keep the defaults
        }
    }

    /**
     * Writes bytes atomically: to a temp file in the same directory, then an atomic rename.
     *
     * @throws UnavailableException when the file or its directory cannot be written
     */
    public static void writeAtomically(Path file, byte[] bytes) {
        OutputGuard.check(file);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                readableByAll(tmp);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // a file we cannot write is a resource this process cannot use, not a bug
            throw new UnavailableException("cannot write " + file + ": " + IoReasons.of(e), e);
        }
    }
}
