package org.gaplab.engine.report;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Duration;

/**
 * Progress of long work: a progress bar with ETA on an interactive terminal (stderr), plain
 * log lines otherwise (CI, containers, pipes): the first after 2 s, then at each further tenth of the
 * work (the end included) and every 10 s while it lasts, never two lines within 2 s. Close it when
 * the work ends.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Progress.class);

    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final java.util.function.LongSupplier clock;
    private final java.util.function.Consumer<String> sink;
    private final long started;
    private long current;
    private long lastLogged;
    private final Duration logEvery;
    /** The decile of the last logged line; -1 before the first. */
    private int loggedTenth = -1;
    /** The first line comes after this much work, so short tasks report early. */
    private static final Duration FIRST_LINE = Duration.ofSeconds(2);
    /** Lines at each further tenth of the work (the last included) are at least this far apart. */
    private static final Duration MIN_GAP = Duration.ofSeconds(2);

    private Progress(String task, long total, boolean interactive, Duration logEvery) {
        this(task, total, interactive, logEvery, System::nanoTime, LOG::info);
    }

    private Progress(String task, long total, boolean interactive, Duration logEvery, java.util.function.LongSupplier clock,
            java.util.function.Consumer<String> sink) {
        this.clock = clock;
        this.sink = sink;
        this.started = clock.getAsLong();
        this.lastLogged = started;
        this.task = task;
        this.total = total;
        this.logEvery = logEvery;
        this.bar = interactive ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setMaxRenderedLength(100)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build() : null;
    }

    /**
     * @param task a short label
     * @param total units of work
     * @return a bar when stderr is an interactive terminal, else a logger
     */
    public static Progress start(String task, long total) {
        boolean interactive = System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"))
                && !Boolean.getBoolean("gaplab.noProgressBar");
        return new Progress(task, total, interactive, Duration.ofSeconds(10));
    }

    /**
     * A logging progress (no bar) on a given clock, for tests.
     *
     * @param task a short label
     * @param total units of work
     * @param clock nanoseconds
     * @param sink receives each line
     * @return the progress
     */
    static Progress forTest(String task, long total, java.util.function.LongSupplier clock, java.util.function.Consumer<String> sink) {
        return new Progress(task, total, false, Duration.ofSeconds(10), clock, sink);
    }

    /** Advances to {@code done} units, with an optional short status (e.g. the current loss). */
    public void update(long done, String status) {
        current = done;
        if (bar != null) {
            bar.stepTo(done);
            if (status != null) {
                bar.setExtraMessage(" " + status);
            }
            return;
        }
        long now = clock.getAsLong();
        int tenth = total <= 0 ? 10 : (int) (10 * done / total);
        boolean first = loggedTenth < 0 && now - started >= FIRST_LINE.toNanos();
        boolean nextTenth = tenth > loggedTenth && loggedTenth >= 0 && now - lastLogged >= MIN_GAP.toNanos();
        if (first || nextTenth || now - lastLogged >= logEvery.toNanos()) {
            lastLogged = now;
            loggedTenth = tenth;
            double secs = (now - started) / 1e9;
            double eta = done > 0 ? secs * (total - done) / done : Double.NaN;
            sink.accept(String.format(java.util.Locale.ROOT, "%s: %d/%d (%d%%), %s elapsed, ETA %s%s", task, done, total,
                    total == 0 ? 100 : 100 * done / total, fmt(secs), fmt(eta), status == null ? "" : ", " + status));
        }
    }

    private static String fmt(double s) {
        if (!Double.isFinite(s)) {
            return "?";
        }
        return s < 120 ? String.format("%.0fs", s) : String.format("%dm%02ds", (long) s / 60, (long) s % 60);
    }

    /** @return units done so far */
    public long current() {
        return current;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
