package org.gaplab.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.checkpoint.CheckpointSource;
import org.gaplab.engine.checkpoint.Counters;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.engine.step.BlockCache;
import org.gaplab.engine.step.DataBlocks;
import org.gaplab.engine.step.GradientPlan;
import org.gaplab.engine.step.GradientPlanner;
import org.gaplab.engine.step.GradientStep;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.MetricAccumulator;
import org.gaplab.engine.step.StackedRuns;
import org.gaplab.engine.step.StepResult;
import org.gaplab.engine.step.StepSource;
import org.gaplab.models.DualEncoder;

import java.util.List;

/**
 * Trains K runs of a dual encoder as one stacked computation on one device: the coordinator of a
 * step's parts in {@code org.gaplab.engine.step} (the data blocks, the gradient step its
 * {@link GradientPlan} chose, the metric sums) and the holder of the state a checkpoint saves.
 *
 * <p>Each {@link #step()} runs in its own NDManager scope: parameters, optimiser state and the
 * current data block are temporarily attached to it, so every intermediate is freed when the step
 * ends and the live NDArray count stays flat. Nothing is copied to the host in a step; per-run
 * loss and gradient-norm sums accumulate on the device until {@link #drainMetrics()}.
 *
 * <p>Randomness: run k's parameters come from {@code (seed_k, "init.towerN")} and its data for
 * step t from {@code (seed_k, "data", t / S)} with a per-run block length S
 * ({@link StepBlocks#blockSteps}). Nothing depends on K or on the engine generator's history,
 * so a resumed run replays the same data, and a run trained in a stack equals the run alone.
 */
public final class Trainer implements StepSource, AutoCloseable, CheckpointSource {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(Trainer.class);
    private final List<RunConfig> runs;
    private final RunConfig first;
    private final NDManager root;
    private final DualEncoder model;
    private final GradientPlan plan;
    private final Optimizer optimizer;
    private final List<PairedSource> sources;
    private final BlockCache blocks;
    private final MetricAccumulator metrics;
    private final GradientStep gradientStep;
    private long step;
    private double lastLrFactor = 1;

    /**
     * Builds and initialises K stacked runs on a device.
     *
     * @param runs the runs; see {@link StepBlocks#requireStackable}
     * @param device where every tensor lives
     */
    public Trainer(List<RunConfig> runs, Device device) {
        this(runs, device, StepBlocks.TOWER_GRAPH_BYTES, null, true);
    }

    /**
     * As {@link #Trainer(List, Device)} with the training pairs drawn from {@code data} instead
     * of each run's source (tests that compare devices feed both the same batches, since the
     * CPU and CUDA generators differ). The parameters can be replaced before the first step
     * through {@code model().parameters().copyFrom}.
     *
     * @param runs the runs; see {@link StepBlocks#requireStackable}
     * @param device where every tensor lives
     * @param data the training pairs of each run and data block
     */
    public Trainer(List<RunConfig> runs, Device device, DataBlocks data) {
        this(runs, device, StepBlocks.TOWER_GRAPH_BYTES, data, true);
    }

    /** As {@link #Trainer(List, Device)} with another budget for a tower's graph (tests force gradient caching). */
    Trainer(List<RunConfig> runs, Device device, long towerGraphBytes) {
        this(runs, device, towerGraphBytes, null, true);
    }

    /** As {@link #Trainer(List, Device)}, choosing whether the towers may run side by side (tests compare both ways). */
    Trainer(List<RunConfig> runs, Device device, boolean sideBySide) {
        this(runs, device, StepBlocks.TOWER_GRAPH_BYTES, null, sideBySide);
    }

    private Trainer(List<RunConfig> runs, Device device, long towerGraphBytes, DataBlocks data, boolean sideBySide) {
        StepBlocks.requireStackable(runs);
        this.runs = List.copyOf(runs);
        this.first = runs.get(0);
        DataType dataType = first.precision().dataType();
        this.root = NDManager.newBaseManager(device);
        NDManager modelManager = root.newSubManager();
        NDManager accumManager = root.newSubManager();
        int k = runs.size();
        StackedRuns stack = StackedRuns.of(this.runs);
        this.sources = stack.sources();
        this.model = DualEncoder.initialize(first.model(), modelManager, stack.initSeeds1(), stack.initSeeds2(), stack.tau(), dataType);
        PairLoss loss = first.loss().build();
        GradientPlan planned = GradientPlanner.plan(first, loss, model, k, towerGraphBytes);
        int threads = sideBySide ? GradientPlanner.towerThreads(device, planned, first) : 0;
        this.plan = GradientPlanner.sideBySide(planned, threads);
        LOG.debug("gradient: {}", plan);    // callers log it where their run's log is attached
        this.optimizer = new Optimizer(first.optim(), model.parameters(), stack.lr(), modelManager);
        int blockSteps = StepBlocks.blockSteps(first, sources.get(0).dimX(), sources.get(0).dimY());
        DataBlocks pairs = data != null ? data : stack.seededData(dataType);
        this.blocks = new BlockCache(root, pairs, k, blockSteps, first.batchSize());
        this.metrics = new MetricAccumulator(accumManager, k, dataType);
        // last: nothing after it can fail (it may hold the towers' second thread)
        this.gradientStep = GradientStep.create(plan, model, loss, optimizer, first.model().temperature().learnable(), threads);
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

    /** @return whether steps take the embedding split (the loss's closed-form dL/dz) instead of whole-graph autograd */
    public boolean embeddingSplit() {
        return plan.route() == GradientPlan.Route.EMBEDDING_SPLIT;
    }

    /** @return how steps compute the gradient, and why */
    public GradientPlan gradientPlan() {
        return plan;
    }

    /** @return steps completed */
    @Override
    public long stepsDone() {
        return step;
    }

    /** @return steps of data generated per block */
    public int blockSteps() {
        return blocks.blockSteps();
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
    @Override
    public StepResult step() {
        NDList block = blocks.forStep(step);
        double factor = first.optim().scheduleFactor(step, first.steps());
        NDIndex at = new NDIndex(":, {}", step % blocks.blockSteps());
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            optimizer.tempAttach(scope);
            scope.tempAttachAll(block);
            GradientStep.Update u = gradientStep.apply(scope, block.get(0).get(at), block.get(1).get(at), factor);
            model.clampLogitScale();
            metrics.add(u.loss(), u.gradNorm(), u.lossParts());
        }
        step++;
        lastLrFactor = factor;
        return new StepResult(step, factor, metrics.lossSum(), metrics.gradNormSum());
    }

    /**
     * Copies the interval's metrics to the host (the loop's one deliberate sync) and resets the
     * accumulators.
     *
     * @return mean loss and gradient norm per run since the last drain, and the current logit scale
     */
    @Override
    public IntervalMetrics drainMetrics() {
        double[] scale;
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            scale = MetricAccumulator.toHost(model.logitScale());
        }
        return metrics.drain(step, lastLrFactor, scale);
    }

    /**
     * Whether every parameter and the interval accumulators are finite (one host sync). A
     * checkpoint is written only when this holds, so the last checkpoint is always a good one.
     */
    public boolean allFinite() {
        try (NDManager scope = root.newSubManager()) {
            model.tempAttach(scope);
            NDArray bad = metrics.lossNonFinite(scope);
            for (NDArray p : model.parameters().asList()) {
                bad = bad.logicalOr(p.isNaN().logicalOr(p.isInfinite()).any());
            }
            return !bad.getBoolean();
        }
    }

    /** @return the current counters */
    public Counters counters() {
        return new Counters(step, optimizer.updates(), metrics.steps(), lastLrFactor, blocks.blockSteps());
    }

    /** @return the parameters, named, for a checkpoint */
    @Override
    public NDList parameterList() {
        return model.parameters().asList();
    }

    /** @return the optimiser's moments, named, for a checkpoint */
    @Override
    public NDList optimizerState() {
        return optimizer.state();
    }

    /** @return the interval accumulators, named, for a checkpoint */
    @Override
    public NDList accumulators() {
        return metrics.arrays();
    }

    /**
     * Restores state written by a checkpoint: parameters, optimiser moments, accumulators and
     * counters. The next step regenerates the data block it needs from the seeds.
     */
    public void restore(NDList params, NDList optimState, NDList accum, Counters c) {
        if (c.blockSteps() != blocks.blockSteps()) {
            throw new IllegalArgumentException("checkpoint was written with " + c.blockSteps()
                    + " steps per data block, this build uses " + blocks.blockSteps() + "; its data would not replay");
        }
        model.parameters().copyFrom(params);
        optimizer.load(optimState, c.optimizerUpdates());
        metrics.restore(accum, c.intervalSteps());
        this.step = c.step();
        this.lastLrFactor = c.lastLrFactor();
        blocks.invalidate();
    }

    @Override
    public void close() {
        gradientStep.close();
        blocks.close();
        root.close();
    }
}
