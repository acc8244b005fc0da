package org.gaplab.engine.report;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.nio.file.Path;

/** Adds a Log4j2 file appender for one run directory (the human log), removed on close. */
public final class RunLogFile implements AutoCloseable {
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
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withConfiguration(cfg)
                .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %c{1} - %msg%n").build();
        FileAppender app = FileAppender.newBuilder().setName("run-log-" + file.toAbsolutePath())
                .withFileName(file.toString()).withAppend(true).setLayout(layout).setConfiguration(cfg).build();
        app.start();
        cfg.addAppender(app);
        cfg.getRootLogger().addAppender(app, null, null);
        ctx.updateLoggers();
        return new RunLogFile(app);
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
