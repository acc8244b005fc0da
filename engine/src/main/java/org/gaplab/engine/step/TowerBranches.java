package org.gaplab.engine.step;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the two towers' work side by side on the CPU: tower 2's forward and backward on a second
 * thread while the calling thread does tower 1's, each with half of libtorch's intra-op threads.
 *
 * <p>Why: the towers are independent until the loss, and most of a step that is not a matrix
 * product is a chain of small element-wise passes that gain little from a second intra-op thread
 * (each wakes a worker for a fraction of a millisecond). Two branches on one thread each keep
 * both cores busy through those passes as well as through the products.
 *
 * <p>libtorch's intra-op thread count ({@code at::set_num_threads}) applies to the calling thread's
 * OpenMP and MKL settings (and sets the default of threads that have not run an operation yet),
 * so each branch sets its share when it starts and the calling thread gets its own count back
 * when both are done. Only autograd-free tower routes can branch: DJL allows one gradient
 * collector at a time. A trainer steps from one thread at a time.
 */
final class TowerBranches implements AutoCloseable {
    /** Per-run tower work below this many multiply-adds per step is too small to pay for a hand-off. */
    static final long MIN_TOWER_WORK = 1L << 24;

    private final ExecutorService second;
    private final int first;
    private final int rest;

    /** @param total intra-op threads to share, at least 2 */
    TowerBranches(int total) {
        this.first = Math.max(1, total / 2);
        this.rest = Math.max(1, total - first);
        this.second = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gaplab-tower2");
            t.setDaemon(true);
            return t;
        });
        // libtorch records gradients per thread; nothing on a branch needs them
        join(second.submit(() -> JniUtils.setGradMode(false)));
    }

    /**
     * The intra-op threads the towers would share, or 0 to run them one after the other: side by
     * side only on a CPU, with two or more threads, towers that back-propagate without autograd,
     * and enough work per run. Per run, not per stack, so that stacking runs never changes how a
     * run is computed.
     *
     * @param device the trainer's device
     * @param plan the gradient plan
     * @param towerWorkPerRun multiply-adds of the smaller tower's forward and backward per run and step
     * @return the threads to share, or 0
     */
    static int threadsToShare(Device device, GradientPlan plan, long towerWorkPerRun) {
        if (!Device.Type.CPU.equals(device.getDeviceType()) || plan.route() != GradientPlan.Route.EMBEDDING_SPLIT
                || !autogradFree(plan.tower1()) || !autogradFree(plan.tower2()) || towerWorkPerRun < MIN_TOWER_WORK) {
            return 0;
        }
        int threads = JniUtils.getNumThreads();
        return threads >= 2 ? threads : 0;
    }

    private static boolean autogradFree(GradientPlan.TowerRoute r) {
        return r == GradientPlan.TowerRoute.LINEAR_CLOSED_FORM || r == GradientPlan.TowerRoute.LAYERS;
    }

    /**
     * @param total the threads shared
     * @return how they are shared, e.g. "1 + 1 intra-op threads"
     */
    static String describe(int total) {
        int half = Math.max(1, total / 2);
        return half + " + " + Math.max(1, total - half) + " intra-op threads";
    }

    /**
     * Runs {@code tower1} here and {@code tower2} on the second thread, and returns when both are
     * done. A failure of either (exception or error) is rethrown only after both have stopped, since
     * the other may still be using the step's arrays; a second failure is added as suppressed.
     */
    void both(Runnable tower1, Runnable tower2) {
        int callers = JniUtils.getNumThreads();
        Throwable failure = null;
        try {
            JniUtils.setNumThreads(first);
            Future<?> other = second.submit(() -> {
                JniUtils.setNumThreads(rest);
                tower2.run();
            });
            try {
                tower1.run();
            } catch (Throwable t) {
                failure = t;
            }
            try {
                join(other);
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                } else {
                    failure.addSuppressed(t);
                }
            }
        } finally {
            JniUtils.setNumThreads(callers);
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("tower branch failed", failure);    // a Runnable throws no checked exception
        }
    }

    private static void join(Future<?> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;    // the branch uses the step's arrays: wait for it regardless
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("tower branch failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        second.shutdownNow();
    }
}
