package org.gaplab.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import org.gaplab.core.Seeds;
import org.gaplab.datasets.PairedSource;
import org.gaplab.engine.admission.StepBlocks;
import org.gaplab.engine.checkpoint.CheckpointSource;
import org.gaplab.engine.checkpoint.Counters;
import org.gaplab.engine.config.ConfigException;
import org.gaplab.engine.config.LossConfig;
import org.gaplab.engine.config.RunConfig;
import org.gaplab.engine.loss.GradientRequest;
import org.gaplab.engine.loss.LossGradient;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.engine.step.Autograd;
import org.gaplab.engine.step.IntervalMetrics;
import org.gaplab.engine.step.StepResult;
import org.gaplab.engine.step.StepSource;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * ({@link StepBlocks#blockSteps}). Nothing depends on K or on the engine generator's history,
 * so a resumed run replays the same data, and a run trained in a stack equals the run alone.
 */
public final class Trainer implements StepSource, AutoCloseable, CheckpointSource {
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(Trainer.class);
    private final List<RunConfig> runs;
    private final RunConfig first;
    private final NDManager root;
    private final NDManager modelManager;
    private final NDManager accumManager;
    private final DualEncoder model;
    private final GradientPlan plan;
    private final TowerBranches branches;     // null: the towers run one after the other
    private final Optimizer optimizer;
    private final PairLoss loss;
    private final GradientRequest request;
    /** Parameters whose gradient autograd writes (reset after each update of the split route). */
    private final List<ParamSpec> autogradParams = new ArrayList<>();
    private final List<PairedSource> sources = new ArrayList<>();
    private final int blockSteps;
    private final DataBlocks data;
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

    /** Where a trainer's training pairs come from. */
    @FunctionalInterface
    public interface DataBlocks {
        /**
         * @param manager where the pairs must live (the trainer's device)
         * @param run the run k
         * @param block the data block; it covers steps {@code [block S, (block + 1) S)}
         * @param rows {@code S * batch_size} pairs, step by step
         * @return {@code [x, y]}, each {@code [rows, dim]}
         */
        NDList sample(NDManager manager, int run, long block, int rows);
    }

    /**
     * As {@link #Trainer(List, Device)} with another memory budget for a tower's autograd graph
     * (tests use a small one to force gradient caching).
     *
     * @param towerGraphBytes bytes one tower's graph may take before its backward is chunked
     */
    Trainer(List<RunConfig> runs, Device device, long towerGraphBytes) {
        this(runs, device, towerGraphBytes, null, true);
    }

    /**
     * As {@link #Trainer(List, Device)}, choosing whether the towers may run side by side
     * ({@link TowerBranches}; tests compare both ways).
     */
    Trainer(List<RunConfig> runs, Device device, boolean sideBySide) {
        this(runs, device, StepBlocks.TOWER_GRAPH_BYTES, null, sideBySide);
    }

    private Trainer(List<RunConfig> runs, Device device, long towerGraphBytes, DataBlocks data, boolean sideBySide) {
        StepBlocks.requireStackable(runs);
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
        this.loss = first.loss().build();
        GradientPlan planned = planGradient(first, loss, model, k, tau, towerGraphBytes);
        long towerWorkPerRun = 3L * first.batchSize()
                * Math.min(first.model().tower1().parameterCount(), first.model().tower2().parameterCount());
        int shared = sideBySide ? TowerBranches.threadsToShare(device, planned, towerWorkPerRun) : 0;
        this.plan = shared == 0 ? planned : planned.withSideBySide(TowerBranches.describe(shared));
        if (plan.route() == GradientPlan.Route.AUTOGRAD) {
            model.parameters().requireGradients();
        } else {
            for (Tower t : graphedTowers()) {
                t.specs().forEach(p -> model.parameters().get(p).setRequiresGradient(true));
            }
        }
        LOG.debug("gradient: {}", plan);    // callers log it where their run's log is attached
        this.request = new GradientRequest(plan.logitsRowBlock(), plan.unitShift(), first.model().temperature().learnable());
        if (plan.route() == GradientPlan.Route.EMBEDDING_SPLIT) {
            graphedTowers().forEach(t -> autogradParams.addAll(t.specs()));
        }
        this.optimizer = new Optimizer(first.optim(), model.parameters(), lr, modelManager);
        this.blockSteps = StepBlocks.blockSteps(first, sources.get(0).dimX(), sources.get(0).dimY());
        // run k's data for block b comes from its own seed (seed_k, "data", b)
        this.data = data != null ? data : (m, run, block, rows) -> sources.get(run).sampleTrain(m,
                Seeds.derive(this.runs.get(run).seed(), "data", block), rows, dataType);
        this.lossSum = accumManager.zeros(new ai.djl.ndarray.types.Shape(k), dataType);
        this.gradNormSum = accumManager.zeros(new ai.djl.ndarray.types.Shape(k), dataType);
        if (shared > 0) {
            // the optimiser's first group is tower 1's parameters, which come first
            List<String> names = model.parameters().names();
            List<String> tower1 = model.tower1().specs().stream().map(ParamSpec::name).toList();
            if (!names.subList(0, tower1.size()).equals(tower1)) {
                throw new IllegalStateException("tower 1's parameters must come first, got " + names);
            }
        }
        this.branches = shared > 0 ? new TowerBranches(shared) : null;      // last: nothing after it can fail
    }

    /**
     * Chooses the gradient route: the embedding split whenever the loss has a closed-form
     * {@code dL/dz} and {@code loss.closed_form} is on; per tower the closed form (linear onto the
     * sphere), the layer-wise closed form (ReLU, tanh or identity layers), else one autograd
     * backward; the last two in chunks of rows when the tower's activations or graph for the whole
     * batch would exceed {@link StepBlocks#TOWER_GRAPH_BYTES}.
     */
    static GradientPlan planGradient(RunConfig c, PairLoss loss, DualEncoder model, int k, double[] tau, long towerGraphBytes) {
        int bytes = c.precision().dataType().getNumOfBytes();
        int b = c.batchSize();
        if (!c.loss().closedForm()) {
            return new GradientPlan(GradientPlan.Route.AUTOGRAD, null, null, b, b, b, false, "loss.closed_form=false");
        }
        if (!c.loss().embeddingSplit()) {
            return new GradientPlan(GradientPlan.Route.AUTOGRAD, null, null, b, b, b, false,
                    loss + " has no closed-form gradient with respect to the embeddings");
        }
        // every run of a stack has the same rule (StepBlocks.structureKey), so this is each run's own
        boolean unitShift = StepBlocks.singleShift(c);
        long chunk1 = model.tower1().graphChunkRows(k, bytes, towerGraphBytes);
        long chunk2 = model.tower2().graphChunkRows(k, bytes, towerGraphBytes);
        GradientPlan.TowerRoute r1 = towerRoute(model.tower1(), chunk1, b);
        GradientPlan.TowerRoute r2 = towerRoute(model.tower2(), chunk2, b);
        int rows = StepBlocks.logitsRowBlock(k, b, bytes);
        String why = loss + " has a closed-form dL/dz"
                + (rows < b ? "; logits [" + k + ", " + b + ", " + b + "] exceed " + (StepBlocks.LOGITS_BYTES >> 20) + " MiB" : "")
                + (Math.min(chunked(r1, chunk1, b), chunked(r2, chunk2, b)) < b
                        ? "; a tower's activations or graph for " + b + " rows exceed " + (towerGraphBytes >= 1 << 20 ? (towerGraphBytes >> 20) + " MiB"
                        : (towerGraphBytes >> 10) + " KiB") : "");
        return new GradientPlan(GradientPlan.Route.EMBEDDING_SPLIT, r1, r2, rows, chunked(r1, chunk1, b), chunked(r2, chunk2, b),
                unitShift, why);
    }

    /** Rows per backward chunk: the whole batch unless the route keeps a per-row graph or cache over budget. */
    private static long chunked(GradientPlan.TowerRoute r, long chunkRows, int batch) {
        return r == GradientPlan.TowerRoute.CLOSED_FORM ? batch : Math.min(batch, chunkRows);
    }

    private static GradientPlan.TowerRoute towerRoute(org.gaplab.models.Tower t, long chunkRows, int batch) {
        if (t.hasClosedFormBackward()) {
            return GradientPlan.TowerRoute.CLOSED_FORM;
        }
        if (t.hasLayerBackward()) {
            return GradientPlan.TowerRoute.LAYERS;
        }
        return chunkRows >= batch ? GradientPlan.TowerRoute.AUTOGRAD : GradientPlan.TowerRoute.CACHED_CHUNKS;
    }

    /** @return the towers that back-propagate through an autograd graph on the split route */
    private List<Tower> graphedTowers() {
        List<Tower> out = new ArrayList<>();
        if (plan.route() == GradientPlan.Route.AUTOGRAD) {
            return out;
        }
        if (plan.tower1() == GradientPlan.TowerRoute.AUTOGRAD || plan.tower1() == GradientPlan.TowerRoute.CACHED_CHUNKS) {
            out.add(model.tower1());
        }
        if (plan.tower2() == GradientPlan.TowerRoute.AUTOGRAD || plan.tower2() == GradientPlan.TowerRoute.CACHED_CHUNKS) {
            out.add(model.tower2());
        }
        return out;
    }

    private static void checkDims(RunConfig c, PairedSource src) {
        if (src.dimX() != c.model().tower1().inputDim() || src.dimY() != c.model().tower2().inputDim()) {
            throw new ConfigException("model.tower1.input_dim/tower2.input_dim (" + c.model().tower1().inputDim()
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

    /** @return whether steps take the closed-form loss gradient (the embedding split) instead of whole-graph autograd */
    public boolean closedForm() {
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
    @Override
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
            if (closedForm()) {
                Map<ParamSpec, NDArray> grads = new HashMap<>();
                perRun = splitGradients(scope, x, y, grads);
                List<NDArray> ordered = new ArrayList<>();
                for (ParamSpec p : model.parameters().specs()) {
                    NDArray g = grads.get(p);
                    if (g == null) {
                        throw new IllegalStateException("no gradient for parameter " + p.name());
                    }
                    ordered.add(g);
                }
                gradNorm = branches == null ? optimizer.step(model.parameters(), ordered, factor)
                        : optimizer.step(model.parameters(), ordered, factor, model.tower1().specs().size(), branches::both);
                for (ParamSpec p : autogradParams) {
                    NDArray g = grads.get(p);
                    Parameters.resetGradient(g);
                }
            } else {
                try (GradientCollector gc = Autograd.record(root)) {
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

    /**
     * The embedding split: embeddings, the loss's closed-form {@code dL/dz}, then each tower's
     * parameter gradients by its route. Fills {@code grads}, keyed by parameter: each tower
     * answers for its own {@link Tower#specs()}, the loss for the logit scale. With
     * {@link TowerBranches} the two towers' forward and backward passes run side by side.
     *
     * @return the per-run loss
     */
    private NDArray splitGradients(NDManager scope, NDArray x, NDArray y, Map<ParamSpec, NDArray> grads) {
        TowerPass[] pass = {new TowerPass(model.tower1(), x, plan.tower1(), plan.chunkRows1(), scope),
            new TowerPass(model.tower2(), y, plan.tower2(), plan.chunkRows2(), scope)};
        sideBySide(pass[0]::forward, pass[1]::forward);
        NDArray scale = model.logitScale();
        LossGradient lg;
        if (pass[0].route == GradientPlan.TowerRoute.AUTOGRAD || pass[1].route == GradientPlan.TowerRoute.AUTOGRAD) {
            try (GradientCollector gc = Autograd.record(root)) {
                NDArray head = null;
                NDArray[] graphed = new NDArray[2];
                for (int t = 0; t < 2; t++) {
                    if (pass[t].route == GradientPlan.TowerRoute.AUTOGRAD) {
                        graphed[t] = pass[t].tower.forwardRaw(model.parameters(), pass[t].input);
                        pass[t].u = graphed[t].stopGradient();
                        pass[t].z = pass[t].tower.config().output().apply(pass[t].u);     // off the graph
                    }
                }
                lg = loss.valueAndGradient(pass[0].z, pass[1].z, scale, request);
                NDArray[] gz = {lg.gradZ1(), lg.gradZ2()};
                for (int t = 0; t < 2; t++) {
                    if (graphed[t] != null) {
                        // one backward pass of sum(u . dL/du) gives the tower's share of dL/dparams;
                        // dL/du in closed form keeps the output map's ops out of the graph
                        NDArray part = graphed[t].mul(pass[t].gradU(gz[t])).sum();
                        head = head == null ? part : head.add(part);
                    }
                }
                gc.backward(head);
            }
        } else {
            lg = loss.valueAndGradient(pass[0].z, pass[1].z, scale, request);
        }
        sideBySide(() -> pass[0].backward(lg.gradZ1()), () -> pass[1].backward(lg.gradZ2()));
        grads.putAll(pass[0].grads);
        grads.putAll(pass[1].grads);
        if (lg.gradLogScale() != null) {
            grads.put(model.parameters().spec(DualEncoder.LOGIT_SCALE), lg.gradLogScale());
        }
        return lg.loss();
    }

    /** Runs two towers' work on the branches when there are any, else one after the other. */
    private void sideBySide(Runnable tower1, Runnable tower2) {
        if (branches != null) {
            branches.both(tower1, tower2);
        } else {
            tower1.run();
            tower2.run();
        }
    }

    /** One tower's part of a split step: its forward pass, what the backward needs, its gradients. */
    private final class TowerPass {
        final Tower tower;
        final NDArray input;
        final GradientPlan.TowerRoute route;
        final long chunkRows;
        final NDManager scope;
        NDArray z;
        NDArray u;                    // the output before the output map
        NDList linear;                // CLOSED_FORM: the unit embeddings and norms
        Tower.LayerCache layers;      // LAYERS over the whole batch: each layer's input
        final Map<ParamSpec, NDArray> grads = new HashMap<>();

        TowerPass(Tower tower, NDArray input, GradientPlan.TowerRoute route, long chunkRows, NDManager scope) {
            this.tower = tower;
            this.input = input;
            this.route = route;
            this.chunkRows = chunkRows;
            this.scope = scope;
        }

        /** The embeddings, except on the AUTOGRAD route, whose forward is recorded with the loss. */
        void forward() {
            Parameters params = model.parameters();
            switch (route) {
                case CLOSED_FORM:
                    linear = tower.forwardLinear(params, input);
                    z = linear.get(0);
                    return;
                case LAYERS:
                    if (chunkRows >= input.getShape().get(1)) {
                        layers = tower.forwardLayers(params, input);
                        u = layers.output();
                    } else {
                        u = embedInChunks();                    // recomputed chunk by chunk in the backward
                    }
                    break;
                case CACHED_CHUNKS:
                    u = embedInChunks();                        // no collector open: no graph is kept
                    break;
                default:
                    return;
            }
            z = tower.config().output().apply(u);
        }

        /**
         * u for the whole batch, embedded chunk by chunk so that only one chunk's activations
         * exist at a time (the budget that chose the chunks holds for the forward pass too).
         */
        private NDArray embedInChunks() {
            long n = input.getShape().get(1);
            NDArray whole = null;
            for (long from = 0; from < n; from += chunkRows) {
                long to = Math.min(n, from + chunkRows);
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray xc = input.get(":, {}:{}", from, to);
                    xc.attach(chunk);
                    NDArray uc = tower.forwardRaw(model.parameters(), xc);
                    if (whole == null) {
                        whole = scope.zeros(new ai.djl.ndarray.types.Shape(uc.getShape().get(0), n, uc.getShape().get(2)),
                                uc.getDataType());
                    }
                    whole.set(new NDIndex(":, {}:{}", from, to), uc);
                }
            }
            return whole;
        }

        /** {@code dL/du} from {@code dL/dz}, through the output map in closed form. */
        NDArray gradU(NDArray gradZ) {
            return tower.config().output().backward(u, z, gradZ);
        }

        /** Fills {@link #grads} from {@code dL/dz}. */
        void backward(NDArray gradZ) {
            Parameters params = model.parameters();
            switch (route) {
                case CLOSED_FORM:
                    grads.putAll(tower.linearGradients(params, input, linear, gradZ));
                    return;
                case LAYERS:
                    grads.putAll(layers != null ? tower.backwardLayers(params, layers, gradU(gradZ))
                            : layerGradientsInChunks(scope, tower, input, gradU(gradZ), chunkRows));
                    return;
                case CACHED_CHUNKS:
                    backwardInChunks(scope, tower, input, gradU(gradZ), chunkRows);
                    break;
                default:
                    break;      // AUTOGRAD: the backward ran with the loss
            }
            for (ParamSpec p : tower.specs()) {
                grads.put(p, params.get(p).getGradient());
            }
        }
    }

    /**
     * Gradient caching: re-runs each chunk of rows through the tower with a graph and backwards
     * {@code sum(u_chunk . g_chunk)}, u the output before the output map and g = dL/du; autograd
     * adds the chunks' shares into the parameters' gradients. Each chunk's graph is freed with its
     * scope before the next is built.
     */
    private void backwardInChunks(NDManager scope, Tower tower, NDArray input, NDArray gradU, long rows) {
        long n = input.getShape().get(1);
        try (GradientCollector gc = Autograd.record(root)) {
            for (long from = 0; from < n; from += rows) {
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray xc = input.get(":, {}:{}", from, Math.min(n, from + rows));
                    xc.attach(chunk);    // the chunk's graph is derived from xc, so it lives on this scope
                    NDArray gc1 = gradU.get(":, {}:{}", from, Math.min(n, from + rows));
                    gc1.attach(chunk);
                    gc.backward(tower.forwardRaw(model.parameters(), xc).mul(gc1).sum());
                }
            }
        }
    }

    /**
     * The layer-wise backward over chunks of rows, for a batch whose cached activations would
     * exceed the tower budget: each chunk is embedded again with its activations kept, its share
     * of the gradients computed, and added; only one chunk's activations exist at a time.
     */
    private Map<ParamSpec, NDArray> layerGradientsInChunks(NDManager scope, Tower tower, NDArray input, NDArray gradU, long rows) {
        long n = input.getShape().get(1);
        Map<ParamSpec, NDArray> sum = new HashMap<>();
        for (long from = 0; from < n; from += rows) {
            try (NDManager chunk = scope.newSubManager()) {
                NDArray xc = input.get(":, {}:{}", from, Math.min(n, from + rows));
                xc.attach(chunk);
                NDArray gc = gradU.get(":, {}:{}", from, Math.min(n, from + rows));
                gc.attach(chunk);
                Map<ParamSpec, NDArray> part = tower.backwardLayers(model.parameters(), tower.forwardLayers(model.parameters(), xc), gc);
                part.forEach((p, g) -> {
                    NDArray acc = sum.get(p);
                    if (acc == null) {
                        g.attach(scope);    // the first chunk's gradient becomes the sum
                        sum.put(p, g);
                    } else {
                        acc.addi(g);
                    }
                });
            }
        }
        return sum;
    }

    /** Makes {@code index} the current data block, generating it per run ({@link DataBlocks}). */
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
                NDList pair = data.sample(scratch, k, index, blockSteps * b);
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
    @Override
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

    /** @return the current counters */
    public Counters counters() {
        return new Counters(step, optimizer.updates(), intervalSteps, lastLrFactor, blockSteps);
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
        if (branches != null) {
            branches.close();
        }
        root.close();
    }
}
