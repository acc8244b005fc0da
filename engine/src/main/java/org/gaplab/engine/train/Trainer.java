package org.gaplab.engine.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.ClosedFormSymmetricInfoNce;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.Seeds;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains K runs of a dual encoder as one stacked computation on one device.
 *
 * <p>Each {@link #step()} runs in its own NDManager scope: parameters, optimiser state and the
 * current data block are temporarily attached to it, so every intermediate is freed when the step
 * ends and the live NDArray count stays flat. Nothing is copied to the host in a step; per-run
 * loss and gradient-norm sums accumulate on the device until {@link #drainMetrics()}.
 *
 * <p>Randomness: run k's parameters come from {@code (seed_k, "init.towerN")} and its data for
 * step t from {@code (seed_k, "data", t / S)} with a per-run block length S
 * ({@link BatchLayout#blockSteps}). Nothing depends on K or on the engine generator's history,
 * so a resumed run replays the same data, and a run trained in a stack equals the run alone.
 */
public final class Trainer implements AutoCloseable {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(Trainer.class);
    private final List<RunConfig> runs;
    private final RunConfig first;
    private final NDManager root;
    private final NDManager modelManager;
    private final NDManager accumManager;
    private final DualEncoder model;
    private final boolean closedForm;
    /** Rows of the logits per block in the closed-form step ({@link BatchLayout#logitsRowBlock}). */
    private final int logitsRowBlock;
    private final Optimizer optimizer;
    private final PairLoss loss;
    private final List<PairedSource> sources = new ArrayList<>();
    private final int blockSteps;
    private final DataType dataType;
    private NDManager blockManager;
    private NDList block;
    private long blockIndex = -1;
    private long step;
    private final NDArray lossSum;
    private final NDArray gradNormSum;
    private long intervalSteps;
    private double lastLrFactor = 1;

    /**
     * Builds and initialises K stacked runs on a device.
     *
     * @param runs the runs; see {@link BatchLayout#requireStackable}
     * @param device where every tensor lives
     */
    public Trainer(List<RunConfig> runs, Device device) {
        BatchLayout.requireStackable(runs);
        this.runs = List.copyOf(runs);
        this.first = runs.get(0);
        this.dataType = first.precision().dataType();
        this.root = NDManager.newBaseManager(device);
        this.modelManager = root.newSubManager();
        this.accumManager = root.newSubManager();
        int k = runs.size();
        long[] s1 = new long[k];
        long[] s2 = new long[k];
        double[] tau = new double[k];
        double[] lr = new double[k];
        for (int i = 0; i < k; i++) {
            RunConfig c = runs.get(i);
            s1[i] = Seeds.derive(c.seed(), "init.tower1", 0);
            s2[i] = Seeds.derive(c.seed(), "init.tower2", 0);
            tau[i] = c.model().temperature().tau();
            lr[i] = c.optim().lr();
            PairedSource src = c.data().build();
            checkDims(c, src);
            sources.add(src);
        }
        this.model = DualEncoder.initialize(first.model(), modelManager, s1, s2, tau, dataType);
        // the closed form covers plain symmetric InfoNCE only; a gap penalty needs autograd
        this.closedForm = first.loss().closedForm() && first.loss().kind() == LossConfig.Kind.SYMMETRIC_INFONCE
                && !first.loss().penalized()
                && model.tower1().hasClosedFormBackward() && model.tower2().hasClosedFormBackward();
        if (!closedForm) {
            model.parameters().requireGradients();
        }
        this.optimizer = new Optimizer(first.optim(), model.parameters(), lr, modelManager);
        this.loss = first.loss().build();
        this.blockSteps = BatchLayout.blockSteps(first, sources.get(0).dimX(), sources.get(0).dimY());
        this.logitsRowBlock = BatchLayout.logitsRowBlock(k, first.batchSize(), dataType.getNumOfBytes());
        if (closedForm && logitsRowBlock < first.batchSize()) {
            LOG.info("logits [{}, {}, {}] exceed {} MiB: processed in blocks of {} rows", k, first.batchSize(),
                    first.batchSize(), BatchLayout.LOGITS_BYTES >> 20, logitsRowBlock);
        }
        this.lossSum = accumManager.zeros(new ai.djl.ndarray.types.Shape(k), dataType);
        this.gradNormSum = accumManager.zeros(new ai.djl.ndarray.types.Shape(k), dataType);
    }

    private static void checkDims(RunConfig c, PairedSource src) {
        if (src.dimX() != c.model().tower1().inputDim() || src.dimY() != c.model().tower2().inputDim()) {
            throw new IllegalArgumentException("model.tower1.input_dim/tower2.input_dim (" + c.model().tower1().inputDim()
                    + ", " + c.model().tower2().inputDim() + ") do not match the data's feature dimensions ("
                    + src.dimX() + ", " + src.dimY() + ")");
        }
    }

    /** @return the runs, in stack order */
    public List<RunConfig> runs() {
        return runs;
    }

    /** @return the model (parameters stacked over runs) */
    public DualEncoder model() {
        return model;
    }

    /** @return the optimiser, with its state */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** @return the paired source of run k */
    public PairedSource source(int k) {
        return sources.get(k);
    }

    /** @return whether steps use the closed-form gradient instead of autograd */
    public boolean closedForm() {
        return closedForm;
    }

    /** @return steps completed */
    public long stepsDone() {
        return step;
    }

    /** @return steps of data generated per block */
    public int blockSteps() {
        return blockSteps;
    }

    /** @return the device */
    public Device device() {
        return root.getDevice();
    }

    /** @return the root manager (for live-array accounting) */
    public NDManager rootManager() {
        return root;
    }

    /**
     * Takes one optimisation step for every run.
     *
     * @return the step's device-side results (valid until the next step)
     */
    public StepResult step() {
        ensureBlock(step / blockSteps);
        double factor = first.optim().scheduleFactor(step, first.steps());
        NDIndex at = new NDIndex(":, {}", step % blockSteps);
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            optimizer.tempAttach(scope);
            scope.tempAttachAll(block);
            NDArray x = block.get(0).get(at);
            NDArray y = block.get(1).get(at);
            NDArray perRun;
            NDArray gradNorm;
            if (closedForm) {
                NDList f1 = model.tower1().forwardLinear(model.parameters(), x);
                NDList f2 = model.tower2().forwardLinear(model.parameters(), y);
                ClosedFormSymmetricInfoNce.Result r = ClosedFormSymmetricInfoNce.compute(f1.get(0), f2.get(0), model.logitScale(),
                        first.model().temperature().learnable(), logitsRowBlock);
                perRun = r.loss();
                List<NDArray> grads = new ArrayList<>();
                for (String name : model.parameters().names()) {
                    grads.add(name.startsWith("tower1.") ? model.tower1().backwardLinear(x, f1.get(0), f1.get(1), r.gradZ1())
                            : name.startsWith("tower2.") ? model.tower2().backwardLinear(y, f2.get(0), f2.get(1), r.gradZ2())
                            : r.gradLogScale());
                }
                gradNorm = optimizer.step(model.parameters(), grads, factor);
            } else {
                try (GradientCollector gc = Engine.getEngine(root.getEngine().getEngineName()).newGradientCollector()) {
                    NDArray z1 = model.embed1(x);
                    NDArray z2 = model.embed2(y);
                    perRun = loss.perRun(z1, z2, model.logitScale());
                    gc.backward(perRun.sum());
                }
                gradNorm = optimizer.step(model.parameters(), factor);
            }
            model.clampLogitScale();
            lossSum.addi(perRun);
            gradNormSum.addi(gradNorm);
        }
        step++;
        intervalSteps++;
        lastLrFactor = factor;
        return new StepResult(step, factor, lossSum, gradNormSum);
    }

    /** Makes {@code index} the current data block, generating it per run from its own seed. */
    private void ensureBlock(long index) {
        if (index == blockIndex) {
            return;
        }
        if (blockManager != null) {
            blockManager.close();
        }
        blockManager = root.newSubManager();
        int b = first.batchSize();
        NDList xs = new NDList();
        NDList ys = new NDList();
        try (NDManager scratch = blockManager.newSubManager()) {
            for (int k = 0; k < runs.size(); k++) {
                long seed = Seeds.derive(runs.get(k).seed(), "data", index);
                NDList pair = sources.get(k).sampleTrain(scratch, seed, blockSteps * b, dataType);
                xs.add(pair.get(0).reshape(blockSteps, b, -1));
                ys.add(pair.get(1).reshape(blockSteps, b, -1));
            }
            block = new NDList(NDArrays.stack(xs), NDArrays.stack(ys));
            block.attach(blockManager);
        }
        blockIndex = index;
    }

    /**
     * Copies the interval's metrics to the host (the loop's one deliberate sync) and resets the
     * accumulators.
     *
     * @return mean loss and gradient norm per run since the last drain, and the current logit scale
     */
    public IntervalMetrics drainMetrics() {
        long n = Math.max(1, intervalSteps);
        double[] loss = toDoubles(lossSum, n);
        double[] grad = toDoubles(gradNormSum, n);
        double[] scale;
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            scale = toDoubles(model.logitScale(), 1);
        }
        IntervalMetrics m = new IntervalMetrics(step, intervalSteps, lastLrFactor, loss, grad, scale);
        zero(lossSum);
        zero(gradNormSum);
        intervalSteps = 0;
        return m;
    }

    /** Overwrites with zeros from the host (subtracting itself would keep a NaN). */
    private static void zero(NDArray a) {
        int n = (int) a.size();
        if (a.getDataType() == DataType.FLOAT64) {
            a.set(new double[n]);
        } else {
            a.set(new float[n]);
        }
    }

    private static double[] toDoubles(NDArray a, long divisor) {
        // Host sync point.
        double[] out;
        if (a.getDataType() == DataType.FLOAT64) {
            out = a.toDoubleArray();
        } else {
            float[] f = a.toFloatArray();
            out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= divisor;
        }
        return out;
    }

    /**
     * Whether every parameter and the interval accumulators are finite (one host sync). A
     * checkpoint is written only when this holds, so the last checkpoint is always a good one.
     */
    public boolean allFinite() {
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            scope.tempAttachAll(lossSum, gradNormSum);
            NDArray bad = lossSum.isNaN().logicalOr(lossSum.isInfinite()).any();
            for (NDArray p : model.parameters().asList()) {
                bad = bad.logicalOr(p.isNaN().logicalOr(p.isInfinite()).any());
            }
            return !bad.getBoolean();
        }
    }

    /** Snapshot of the loop counters that a checkpoint must hold besides arrays. */
    public record Counters(long step, long optimizerUpdates, long intervalSteps, double lastLrFactor, int blockSteps) {}

    /** @return the current counters */
    public Counters counters() {
        return new Counters(step, optimizer.updates(), intervalSteps, lastLrFactor, blockSteps);
    }

    /** @return the interval accumulators, named, for a checkpoint */
    public NDList accumulators() {
        lossSum.setName("acc/loss");
        gradNormSum.setName("acc/grad_norm");
        return new NDList(lossSum, gradNormSum);
    }

    /**
     * Restores state written by a checkpoint: parameters, optimiser moments, accumulators and
     * counters. The next step regenerates the data block it needs from the seeds.
     */
    public void restore(NDList params, NDList optimState, NDList accum, Counters c) {
        if (c.blockSteps() != blockSteps) {
            throw new IllegalArgumentException("checkpoint was written with " + c.blockSteps()
                    + " steps per data block, this build uses " + blockSteps + "; its data would not replay");
        }
        model.parameters().copyFrom(params);
        optimizer.load(optimState, c.optimizerUpdates());
        for (NDArray a : accum) {
            NDArray dst = "acc/loss".equals(a.getName()) ? lossSum : "acc/grad_norm".equals(a.getName()) ? gradNormSum : null;
            if (dst == null) {
                throw new IllegalArgumentException("unknown accumulator " + a.getName() + " in checkpoint");
            }
            dst.set(a.toType(dataType, false).toByteBuffer());
        }
        this.step = c.step();
        this.intervalSteps = c.intervalSteps();
        this.lastLrFactor = c.lastLrFactor();
        this.blockIndex = -1;
    }

    @Override
    public void close() {
        root.close();
    }
}
