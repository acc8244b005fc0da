package org.gaplab.engine.admission;

import ai.djl.Device;

import org.gaplab.core.UnavailableException;
import org.gaplab.core.UserException;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.models.TowerConfig;
import org.gaplab.models.TowerKind;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Estimates the peak memory of training, evaluation and measurement from their configs, and
 * refuses work whose estimate exceeds the device's budget before anything is allocated.
 *
 * <p>An estimate is a sum of {@link Term terms}, each naming the config key (or option) that
 * scales it, so a refusal can say what to change. With {@code K} stacked runs, batch {@code B},
 * {@code b} bytes per element, {@code P} parameters per run and data dimensions {@code dx, dy}:
 *
 * <pre>
 *   runtime      JVM, libtorch and its allocator                         RUNTIME_BYTES
 *   parameters   weights, gradients, two optimiser moments               4 K P b
 *   data block   S steps of pre-generated pairs, plus sampling scratch    3 K S B (dx + dy) b
 *   activations  every layer's output, forward and backward              4 K B (sum of widths) b
 *   logits       the [K, B, B] blocks alive at the peak of one step      c K B^2 b
 *   evaluation   the eval set, its embeddings, the sampler's scratch     n (EVAL_ROW_BYTES + 8 (dx + dy + 2 width))
 *                and the loss on one batch of min(B, n)                   + 5 min(B, n)^2 b
 *   measurement  float64 copies of n embeddings, sorted, subsampled      as evaluation, + a pairwise chunk
 * </pre>
 *
 * The step's terms depend on the gradient route the trainer takes (issue 14's embedding split:
 * closed-form, row-blocked dL/dz, then each tower by closed form, layer by layer, one backward, or chunks;
 * or whole-graph autograd when the loss has no closed-form dL/dz); training's peak is the larger of a step and the final evaluation,
 * plus the parameters. The coefficients are upper bounds of peak resident memory measured on CPU
 * (see README "Memory"): when the training step changes how much it holds, update them here.
 *
 * <p>Budget: {@code --memory-budget} (or {@value #BUDGET_PROPERTY} / {@value #BUDGET_ENV}), else
 * {@link #CPU_SHARE} of physical memory on CPU and {@link #GPU_SHARE} of device memory on a GPU.
 */
public final class MemoryAdmission {
    /** System property holding a budget such as {@code 8g} or {@code 512m}. */
    public static final String BUDGET_PROPERTY = "gaplab.memoryBudget";
    /** Environment variable holding a budget (when the property is unset). */
    public static final String BUDGET_ENV = "GAPLAB_MEMORY_BUDGET";
    /** Share of physical memory a CPU run may plan to use (the JVM heap and other processes need the rest). */
    public static final double CPU_SHARE = 0.5;
    /** Share of a GPU's memory a run may plan to use (CUDA context, allocator fragmentation). */
    public static final double GPU_SHARE = 0.8;

    /** The process before any tensor: JVM, libtorch, allocator arenas (measured: about 250 MB). */
    static final long RUNTIME_BYTES = 320L << 20;
    /**
     * [K, rows, B]-sized arrays alive in one logits block of the split route (blocks are freed one by
     * one; {@code rows} as {@link StepBlocks#logitsRowBlock}: all of B when [K, B, B] fits in the
     * logits budget).
     */
    static final long LOGITS_BLOCK = 5;
    /** [K, B, d]-sized arrays the split route's loss keeps for the whole step (embeddings, dL/dz, accumulators). */
    static final long LOSS_OUTPUTS = 10;
    /** [K, B, B] arrays of the MMD penalty's closed form: at most four alive at once, plus the median's sort and one spare. */
    static final long MMD_SPLIT = 6;
    /** Extra [K, B, B] arrays of the MMD penalty on the autograd route (distances and kernels). */
    static final long MMD_EXTRA = 6;
    /**
     * [K, B, B]-sized arrays alive at the peak of an autograd step (logits, softmaxes, graph,
     * grads; measured: 2.3 GB peak RSS at B = 8000).
     */
    static final long LOGITS_AUTOGRAD = 10;
    /**
     * [n, n]-sized arrays of the evaluation loss on one batch (no gradient: logits, two softmaxes and
     * their temporaries; measured: 1.76 GB peak RSS for B = 100,000 with the default 8,000-pair
     * evaluation, the evaluation being the larger part).
     */
    static final long LOGITS_EVAL = 6;
    /**
     * Bytes per evaluation row besides its features and embeddings: the synthetic sampler's
     * float64 scratch and the summary's temporaries (measured: 2.6 GB peak RSS at n = 4,000,000).
     */
    static final long EVAL_ROW_BYTES = 640;
    /** Pairwise chunk of a measurement (the largest default of the measure package's chunking). */
    static final long MEASURE_CHUNK_BYTES = 256L << 20;
    /** Pairs measured during training ({@code schedule.measure_every}); mirrors PeriodicMeasure. */
    static final int PERIODIC_MEASURE_PAIRS = 2000;

    private MemoryAdmission() {}

    /**
     * One part of an estimate.
     *
     * @param what what holds the memory
     * @param bytes how much
     * @param key the config key or option that scales it
     */
    public record Term(String what, long bytes, String key) {}

    /**
     * An estimated peak.
     *
     * @param work what is estimated ("training", "evaluation", ...)
     * @param terms the parts whose sum is the peak
     */
    public record Estimate(String work, List<Term> terms) {
        /** @return the peak in bytes (saturating) */
        public long bytes() {
            long sum = 0;
            for (Term t : terms) {
                sum = saturatingAdd(sum, t.bytes());
            }
            return sum;
        }

        /** @return the largest term */
        public Term largest() {
            return terms.stream().max(Comparator.comparingLong(Term::bytes)).orElseThrow();
        }
    }

    /**
     * A budget and where it came from.
     *
     * @param bytes the budget
     * @param source e.g. "50% of 23.4 GiB physical memory" or "--memory-budget"
     */
    public record Budget(long bytes, String source) {}

    /** Work refused because its estimate exceeds the budget; exit code 2, one line. */
    public static final class RefusedException extends UnavailableException {
        private static final long serialVersionUID = 1L;

        /** @param message estimate, budget and the key to change */
        public RefusedException(String message) {
            super(message);
        }
    }

    // ---- the formulas -------------------------------------------------------------------------

    private static boolean mmd(RunConfig c) {
        return c.loss().penalized() && c.loss().gapPenalty() == LossConfig.GapPenalty.MMD;
    }

    /** @return whether the trainer takes the embedding split for this config (Trainer's rule: every pair loss has one) */
    static boolean split(RunConfig c) {
        return c.loss().embeddingSplit();
    }

    /**
     * Peak bytes of one tower on the split route: closed form, or (layer-wise or through
     * autograd) the whole batch's activations or graph, or chunks of rows. Both towers' peaks are
     * added: their passes may run side by side.
     */
    static long towerBytes(TowerConfig t, long k, long b, long bytes) {
        if (linearOntoSphere(t)) {
            return mul(k, b, t.inputDim() + 2L * t.outputDim() + 2, bytes);
        }
        long graph = mul(k, b, t.graphFloatsPerRow(), bytes);
        if (graph <= StepBlocks.TOWER_GRAPH_BYTES) {
            return saturatingAdd(graph, graph);    // the graph, and about as much again in its backward
        }
        long widest = t.hidden().stream().mapToLong(Integer::longValue).max().orElse(t.outputDim());
        return saturatingAdd(StepBlocks.TOWER_GRAPH_BYTES, mul(k, b, 3L * t.outputDim() + 2 * widest, bytes));
    }

    private static boolean linearOntoSphere(TowerConfig t) {
        return t.kind() == TowerKind.LINEAR && t.output() == org.gaplab.models.OutputMap.SPHERE;
    }

    /** @return the sum of a tower's layer widths (input, hidden, output) */
    static long widths(TowerConfig t) {
        long w = (long) t.inputDim() + t.outputDim();
        for (int h : t.hidden()) {
            w += h;
        }
        return w;
    }

    /**
     * Peak of training K stacked runs of one structure (then evaluating run by run).
     *
     * @param runs the stacked runs (they share batch size, model and precision)
     * @param runsKey what sets K ("--runs", "--chunk"); ignored for K = 1
     * @return the estimate
     */
    public static Estimate training(List<RunConfig> runs, String runsKey) {
        return training(runs.get(0), runs.size(), runsKey);
    }

    /**
     * As {@link #training(List, String)} for K runs shaped like {@code c}.
     *
     * @param c one of the runs
     * @param runs K
     * @param runsKey what sets K
     * @return the estimate
     */
    public static Estimate training(RunConfig c, int runs, String runsKey) {
        long k = runs;
        long b = c.batchSize();
        long bytes = c.precision().dataType().getNumOfBytes();
        long dims = (long) c.model().tower1().inputDim() + c.model().tower2().inputDim();
        String batchKey = k > 1 ? "batch_size or " + runsKey : "batch_size";
        long params = c.model().tower1().parameterCount() + c.model().tower2().parameterCount() + 1;
        long blockSteps = StepBlocks.blockSteps(b, c.model().tower1().inputDim(), c.model().tower2().inputDim(), bytes);
        List<Term> step = new ArrayList<>();
        step.add(new Term("parameters and optimiser state", mul(4, k, params, bytes), k > 1 ? runsKey : "model"));
        step.add(new Term("data block", mul(3, k, blockSteps, b, dims, bytes), batchKey));
        if (split(c)) {
            long rows = StepBlocks.logitsRowBlock(k, b, bytes);
            long d = c.model().tower1().outputDim();
            step.add(new Term("towers (closed form, layer by layer, one backward or chunks)", saturatingAdd(
                    towerBytes(c.model().tower1(), k, b, bytes), towerBytes(c.model().tower2(), k, b, bytes)), batchKey));
            step.add(new Term("logits in blocks of " + rows + " rows, " + LOGITS_BLOCK + " x K x rows x B x " + bytes + " bytes",
                    mul(LOGITS_BLOCK, k, rows, b, bytes), batchKey));
            step.add(new Term("loss outputs", mul(LOSS_OUTPUTS, k, b, d, bytes), batchKey));
            if (mmd(c)) {
                step.add(new Term("MMD^2 penalty, " + MMD_SPLIT + " x K x B^2 x " + bytes + " bytes (distances and kernels)",
                        mul(MMD_SPLIT, k, b, b, bytes), batchKey));
            }
        } else {
            long coefficient = LOGITS_AUTOGRAD + (mmd(c) ? MMD_EXTRA : 0);
            step.add(new Term("activations", mul(4, k, b, widths(c.model().tower1()) + widths(c.model().tower2()), bytes), batchKey));
            step.add(new Term("logits of one step, " + coefficient + " x K x B^2 x " + bytes + " bytes",
                    mul(coefficient, k, b, b, bytes), batchKey));
        }
        int measured = c.schedule().measureEvery() > 0 ? Math.min(PERIODIC_MEASURE_PAIRS, c.eval().size()) : 0;
        if (measured > 0) {
            step.add(new Term("periodic measurement", measurementBytes(c, measured), "schedule.measure_every"));
        }
        List<Term> eval = new ArrayList<>();
        eval.add(new Term("evaluation of eval.size pairs", evaluationBytes(c, c.eval().size()), "eval.size"));
        Estimate s = new Estimate("training", step);
        Estimate e = new Estimate("evaluation", eval);
        List<Term> all = new ArrayList<>();
        all.add(new Term("runtime", RUNTIME_BYTES, "--memory-budget"));
        if (s.bytes() >= e.bytes()) {
            all.addAll(step);
        } else {
            all.add(step.get(0));
            all.addAll(eval);
        }
        return new Estimate("training", all);
    }

    /** Embedding n evaluation pairs of a run and summarising them (also the embedding step of a measurement). */
    static long evaluationBytes(RunConfig c, long n) {
        long bytes = c.precision().dataType().getNumOfBytes();
        long width = Math.max(widths(c.model().tower1()), widths(c.model().tower2()));
        long dims = (long) c.model().tower1().inputDim() + c.model().tower2().inputDim();
        long head = Math.min(c.batchSize(), n);
        return saturatingAdd(mul(n, EVAL_ROW_BYTES + 8 * (dims + 2 * width)), mul(LOGITS_EVAL, head, head, bytes));
    }

    /** Measuring n pairs: their embedding, float64 copies (raw, normalised, subsampled) and one pairwise chunk. */
    static long measurementBytes(RunConfig c, long n) {
        long d = c.model().tower1().outputDim();
        return saturatingAdd(saturatingAdd(evaluationBytes(c, n), mul(6, n, 2 * d, 8)), MEASURE_CHUNK_BYTES);
    }

    /**
     * Peak of {@code gaplab measure --run} on n pairs.
     *
     * @param c the run's config
     * @param n evaluation pairs
     * @param nKey the option that sets n
     * @return the estimate
     */
    public static Estimate measurement(RunConfig c, long n, String nKey) {
        long params = c.model().tower1().parameterCount() + c.model().tower2().parameterCount() + 1;
        return new Estimate("measurement", List.of(new Term("runtime", RUNTIME_BYTES, "--memory-budget"),
                new Term("parameters", mul(params, c.precision().dataType().getNumOfBytes()), "model"),
                new Term("embedding and measuring n pairs", measurementBytes(c, n), nKey)));
    }

    /**
     * Peak of measuring two embedding matrices ({@code measure --embeddings} or {@code --synthetic}):
     * the float64 copies of both samples (as read, on the device, normalised, in the work dtype and the
     * pooled subsamples), the permutation weights of one repeat and one pairwise chunk.
     *
     * @param n1 rows of modality 1
     * @param n2 rows of modality 2
     * @param d dimension
     * @param rowBytes extra bytes per row before measuring (a generator's scratch), 0 for files
     * @param m points per side of a repeat (--subsample)
     * @param permutations relabellings of the permutation tests (--permutations)
     * @param chunkBytes the pairwise chunk (--memory-mib)
     * @param nKey the option that sets the number of rows
     * @return the estimate
     */
    public static Estimate embeddingsMeasurement(long n1, long n2, long d, long rowBytes, long m, long permutations, long chunkBytes,
            String nKey) {
        long rows = saturatingAdd(n1, n2);
        List<Term> terms = new ArrayList<>();
        terms.add(new Term("runtime", RUNTIME_BYTES, "--memory-budget"));
        terms.add(new Term("the two samples, 6 float64 copies of (n1 + n2) x d", saturatingAdd(mul(6, rows, d, 8), mul(rows, rowBytes)),
                nKey));
        terms.add(new Term("permutation weights, 4 x 2m x (P + 1) x 8 bytes", mul(4, 2 * Math.max(1, m), permutations + 1, 8),
                "--permutations"));
        terms.add(new Term("one pairwise chunk", chunkBytes, "--memory-mib"));
        return new Estimate("measurement", terms);
    }

    /**
     * Peak of {@code gaplab embed} on a run's evaluation set: the embedding of n pairs and its host
     * copies for the files (and the figure's copies for d > 2); smaller than a measurement, which
     * also holds normalised and subsampled copies and a pairwise chunk.
     *
     * @param c the run's config
     * @param n evaluation pairs
     * @param nKey the option that sets n
     * @return the estimate
     */
    public static Estimate embedding(RunConfig c, long n, String nKey) {
        long params = c.model().tower1().parameterCount() + c.model().tower2().parameterCount() + 1;
        long d = Math.max(c.model().tower1().outputDim(), c.model().tower2().outputDim());
        return new Estimate("embedding", List.of(new Term("runtime", RUNTIME_BYTES, "--memory-budget"),
                new Term("parameters", mul(params, c.precision().dataType().getNumOfBytes()), "model"),
                new Term("embedding n pairs", evaluationBytes(c, n), nKey),
                new Term("host copies of z1 and z2 for the files and the figure", mul(4, n, d, 8), nKey)));
    }

    /**
     * Peak of {@code gaplab embed --input}: the rows as read (float64), on the device, and through the tower.
     *
     * @param c the run's config
     * @param rows rows to embed
     * @param tower the tower that embeds them
     * @return the estimate
     */
    public static Estimate embeddingRows(RunConfig c, long rows, TowerConfig tower) {
        long bytes = c.precision().dataType().getNumOfBytes();
        return new Estimate("embedding", List.of(new Term("runtime", RUNTIME_BYTES, "--memory-budget"),
                new Term("the rows, their copies and the tower's activations", saturatingAdd(mul(3, rows, tower.inputDim(), 8),
                        mul(4, rows, widths(tower), bytes)), "--input (fewer rows)")));
    }

    // ---- the budget and the decision ------------------------------------------------------------

    /**
     * The budget of a device: an explicit size, else the property or environment variable, else a
     * share of the device's memory.
     *
     * @param device where the work runs
     * @param explicit bytes from an option, or null
     * @return the budget
     */
    public static Budget budget(Device device, Long explicit) {
        if (explicit != null) {
            return new Budget(explicit, "--memory-budget");
        }
        String configured = System.getProperty(BUDGET_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new Budget(parseSize(configured, "-D" + BUDGET_PROPERTY), BUDGET_PROPERTY);
        }
        configured = System.getenv(BUDGET_ENV);
        if (configured != null && !configured.isBlank()) {
            return new Budget(parseSize(configured, BUDGET_ENV), BUDGET_ENV);
        }
        if (device.isGpu()) {
            long total = DeviceProbe.gpu(device.getDeviceId()).memoryTotalBytes();
            if (total > 0) {
                return new Budget((long) (GPU_SHARE * total), percent(GPU_SHARE) + " of " + human(total) + " on " + device);
            }
        }
        long physical = physicalMemory();
        return new Budget((long) (CPU_SHARE * physical), percent(CPU_SHARE) + " of " + human(physical) + " physical memory");
    }

    /** @return the machine's (or container's) physical memory in bytes */
    static long physicalMemory() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getTotalMemorySize() > 0) {
            return sun.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }

    /**
     * Refuses work whose estimate exceeds the budget.
     *
     * @param e the estimate
     * @param budget the budget
     * @throws RefusedException one line: the estimate, the budget and the key to change
     */
    public static void admit(Estimate e, Budget budget) {
        if (e.bytes() <= budget.bytes()) {
            return;
        }
        Term big = e.terms().stream().filter(t -> !t.what().equals("runtime")).max(Comparator.comparingLong(Term::bytes))
                .orElse(e.largest());
        String head = e.work() + " would need about " + human(e.bytes()) + " of memory at its peak (" + big.what() + ": "
                + human(big.bytes()) + "), over the budget of " + human(budget.bytes()) + " (" + budget.source() + ")";
        if (budget.bytes() < RUNTIME_BYTES) {
            // the budget is below what any command needs before its first tensor: raising it is the advice
            String raise = "raise the budget with --memory-budget SIZE (e.g. 1g): it is below the " + human(RUNTIME_BYTES)
                    + " the runtime alone (JVM, libtorch) takes";
            throw new RefusedException(head + "; " + (big.bytes() >= RUNTIME_BYTES ? "lower " + big.key() + ", and " : "") + raise);
        }
        throw new RefusedException(head + "; lower " + big.key() + ", or raise the budget with --memory-budget SIZE");
    }

    /**
     * Parses {@code 512m}, {@code 8g}, {@code 8GiB}, {@code 1.5g} or a number of bytes.
     *
     * @param text the size
     * @param what its name, for the error
     * @return bytes
     */
    public static long parseSize(String text, String what) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (!t.isEmpty()) {
            char last = t.charAt(t.length() - 1);
            int shift = "kmgt".indexOf(last);
            if (shift >= 0) {
                unit = 1L << (10 * (shift + 1));
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0) || v * unit > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException ex) {
            throw new UserException(what + ": expected a size such as 512m or 8g, got '" + text + "'");
        }
    }

    /** @return bytes as e.g. "3.2 GiB" */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    private static long mul(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f != 0 && Math.abs(p) > Long.MAX_VALUE / Math.abs(f)) {
                return Long.MAX_VALUE;
            }
            p *= f;
        }
        return p;
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }
}
