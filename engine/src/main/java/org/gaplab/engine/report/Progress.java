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
 * log lines otherwise (CI, containers, pipes): the first after 2 s, then at each tenth of the work
 * (at most one a second) and at least every 10 s. Close it when the work ends.
 */
public final class Progress implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Progress.class);

    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final long started = System.nanoTime();
    private long current;
    private long lastLogged = System.nanoTime();
    private final Duration logEvery;
    /** The decile of the last logged line; -1 before the first. */
    private int loggedTenth = -1;
    /** The first line comes after this much work, so short tasks report early. */
    private static final Duration FIRST_LINE = Duration.ofSeconds(2);
    /** Lines at each further tenth of the work are at least this far apart. */
    private static final Duration MIN_GAP = Duration.ofSeconds(1);

    private Progress(String task, long total, boolean interactive, Duration logEvery) {
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
        long now = System.nanoTime();
        int tenth = total <= 0 ? 10 : (int) (10 * done / total);
        boolean first = loggedTenth < 0 && now - started >= FIRST_LINE.toNanos();
        boolean nextTenth = tenth > loggedTenth && loggedTenth >= 0 && now - lastLogged >= MIN_GAP.toNanos();
        if (first || nextTenth || now - lastLogged >= logEvery.toNanos() || done == total) {
            lastLogged = now;
            loggedTenth = tenth;
            double secs = (now - started) / 1e9;
            double eta = done > 0 ? secs * (total - done) / done : Double.NaN;
            LOG.info("{}: {}/{} ({}%), {} elapsed, ETA {}{}", task, done, total, total == 0 ? 100 : 100 * done / total,
                    fmt(secs), fmt(eta), status == null ? "" : ", " + status);
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
