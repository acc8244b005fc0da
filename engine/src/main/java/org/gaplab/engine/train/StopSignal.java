package org.gaplab.engine.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns SIGTERM (a scheduler pre-empting the job) and SIGINT (Ctrl-C) into a polite stop request:
 * the loop finishes its step, writes a checkpoint and exits, instead of dying mid-write. A second
 * signal of the same kind restores the default (immediate) behaviour, so a third one ends the
 * process at once (exit 143 or 130) without the stop-time checkpoint: by design, for a job that must
 * go now; the last periodic checkpoint (written atomically) stays, and a resume continues from it
 * exactly. As a listener of the
 * {@link TrainingLoop} (put it last, so that the step's other listeners see the step) it ends the
 * run as interrupted after any step but the last.
 */
public final class StopSignal implements TrainingListener, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(StopSignal.class);

    private volatile String requested;
    private final Map<String, SignalHandler> previous = new HashMap<>();

    private StopSignal() {}

    /** @return a stop flag with handlers installed for TERM and INT (where the platform allows) */
    public static StopSignal install() {
        StopSignal s = new StopSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                s.previous.put(name, Signal.handle(new Signal(name), sig -> s.onSignal(name)));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return s;
    }

    /** @return a flag with no handlers (for the Java API and tests) */
    public static StopSignal none() {
        return new StopSignal();
    }

    private void onSignal(String name) {
        if (requested != null) {
            SignalHandler prev = previous.get(name);
            if (prev != null) {
                Signal.handle(new Signal(name), prev);
            }
            return;
        }
        requested = name;
    }

    /** Requests a stop as if the named signal had arrived (tests, embedding applications). */
    public void request(String signalName) {
        requested = signalName;
    }

    @Override
    public void onStep(TrainingLoop loop) {
        String signal = requested;
        if (signal != null) {
            loop.interrupted("stopped by SIG" + signal);
        }
    }

    /** @return the signal name that asked for a stop ("TERM", "INT"), or null */
    public String requested() {
        return requested;
    }

    @Override
    public void close() {
        previous.forEach((name, handler) -> {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // nothing to restore
            }
        });
    }
}
