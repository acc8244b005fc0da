package org.gaplab.engine.train;

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
 * OpenMP and MKL settings, so each branch sets its own once and the calling thread switches
 * between its share (inside {@link #both}) and the whole count (the loss and the optimiser).
 * Only autograd-free tower routes can branch: DJL allows one gradient collector at a time.
 */
final class TowerBranches implements AutoCloseable {
    /** Tower work below this many multiply-adds per step is too small to pay for a thread hand-off. */
    static final long MIN_TOWER_WORK = 1L << 24;

    private final ExecutorService second;
    private final int total;
    private final int first;

    TowerBranches(int total) {
        this.total = total;
        this.first = Math.max(1, total / 2);
        int rest = Math.max(1, total - first);
        this.second = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gaplab-tower2");
            t.setDaemon(true);
            return t;
        });
        join(second.submit(() -> JniUtils.setNumThreads(rest)));
        JniUtils.setNumThreads(total);    // the count is also the default of threads started later
    }

    /**
     * Side-by-side towers when they pay: a CPU device, at least two intra-op threads, towers that
     * back-propagate without autograd, and enough work per tower.
     *
     * @param device the trainer's device
     * @param plan the gradient plan
     * @param towerWork multiply-adds of the smaller tower's forward and backward per step
     * @return the branches, or null to run the towers one after the other
     */
    static TowerBranches ifWorthwhile(Device device, GradientPlan plan, long towerWork) {
        if (!ai.djl.Device.Type.CPU.equals(device.getDeviceType()) || plan.route() != GradientPlan.Route.EMBEDDING_SPLIT || !autogradFree(plan.tower1())
                || !autogradFree(plan.tower2()) || towerWork < MIN_TOWER_WORK) {
            return null;
        }
        int threads = JniUtils.getNumThreads();
        return threads >= 2 ? new TowerBranches(threads) : null;
    }

    private static boolean autogradFree(GradientPlan.TowerRoute r) {
        return r == GradientPlan.TowerRoute.CLOSED_FORM || r == GradientPlan.TowerRoute.LAYERS;
    }

    /** @return intra-op threads of each branch, e.g. "1 + 1" */
    String describe() {
        return first + " + " + Math.max(1, total - first) + " intra-op threads";
    }

    /**
     * Runs {@code tower1} here and {@code tower2} on the second thread, and returns when both are
     * done; an exception of either is rethrown after both have stopped (the second may still be
     * using the step's arrays when the first fails).
     */
    void both(Runnable tower1, Runnable tower2) {
        JniUtils.setNumThreads(first);
        RuntimeException failure = null;
        try {
            Future<?> other = second.submit(tower2);
            try {
                tower1.run();
            } catch (RuntimeException e) {
                failure = e;
            }
            try {
                join(other);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        } finally {
            JniUtils.setNumThreads(total);
        }
        if (failure != null) {
            throw failure;
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
            throw new IllegalStateException("tower branch failed", cause);    // a Runnable throws no checked exception
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
