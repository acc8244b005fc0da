package org.gaplab.engine.report;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Adds a Log4j2 file appender for one run directory (the human log), removed on close. */
public final class RunLogFile implements AutoCloseable {
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %c{1} - %msg%n";
    /** The log file most recently attached in this process, so a failure after it closed can point there. */
    private static final AtomicReference<Path> LAST = new AtomicReference<>();
    private final FileAppender appender;

    private RunLogFile(FileAppender appender) {
        this.appender = appender;
    }

    /**
     * Starts copying gaplab's log (INFO and above, plus library warnings) to {@code file}.
     *
     * @param file the log file (appended to, so a resumed run keeps one log)
     * @return a handle that detaches the appender when closed
     */
    public static RunLogFile attach(Path file) {
        // the appender opens the file itself, following links: refuse one here (an output file never
        // writes through a link) and a directory that moved since it was locked
        org.gaplab.core.OutputGuard.check(file);
        org.gaplab.core.OutputGuard.refuseLink(file);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withConfiguration(cfg)
                .withPattern(PATTERN).build();
        FileAppender app = FileAppender.newBuilder().setName("run-log-" + file.toAbsolutePath())
                .withFileName(file.toString()).withAppend(true).setLayout(layout).setConfiguration(cfg).build();
        app.start();
        cfg.addAppender(app);
        cfg.getRootLogger().addAppender(app, null, null);
        ctx.updateLoggers();
        LAST.set(file);
        return new RunLogFile(app);
    }

    /** @return the log file most recently attached since {@link #forgetLast()}, or empty */
    public static Optional<Path> last() {
        return Optional.ofNullable(LAST.get());
    }

    /** Forgets the last attached file (a new command starts; an older run's log is not its log). */
    public static void forgetLast() {
        LAST.set(null);
    }

    /**
     * Appends one error with its stack trace to a log file, in the run log's line format, without
     * going through the console (the console gets one line).
     *
     * @param file the log file
     * @param message what failed
     * @param error the exception whose stack trace is written
     * @return whether it could be written
     */
    public static boolean appendError(Path file, String message, Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String line = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"))
                + " ERROR GaplabCli - " + message + System.lineSeparator() + trace;
        try (java.io.Writer w = org.gaplab.core.OutputGuard.appendWriter(file)) {
            w.write(line);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }
}
