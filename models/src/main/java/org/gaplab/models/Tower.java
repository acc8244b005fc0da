package org.gaplab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * One encoder tower, stacked over runs: inputs {@code [K, n, in]} map to embeddings
 * {@code [K, n, d]} on the manifold of {@link TowerConfig#output()}.
 *
 * <p>Layer {@code i} has weight {@code <prefix>.w<i>} of per-run shape {@code [in, out]} (so a
 * forward pass is a batched {@code x W}) and, for MLPs, bias {@code <prefix>.b<i>} of shape
 * {@code [1, out]}. Initialisation follows PyTorch's {@code nn.Linear} default: weight and bias
 * uniform in {@code +-1/sqrt(fan_in)} (its Kaiming-uniform with a = sqrt 5 reduces to that bound).
 */
public final class Tower {
    private final TowerConfig config;
    private final String prefix;
    private final List<ParamSpec> specs;

    /**
     * @param config the architecture
     * @param prefix parameter name prefix, e.g. {@code tower1}
     */
    public Tower(TowerConfig config, String prefix) {
        this.config = config;
        this.prefix = prefix;
        this.specs = buildSpecs();
    }

    private List<ParamSpec> buildSpecs() {
        List<ParamSpec> out = new ArrayList<>();
        boolean bias = config.kind() == TowerKind.MLP;
        int in = config.inputDim();
        List<Integer> widths = new ArrayList<>(config.hidden());
        widths.add(config.outputDim());
        for (int i = 0; i < widths.size(); i++) {
            int w = widths.get(i);
            double bound = 1.0 / Math.sqrt(in);
            out.add(new ParamSpec(prefix + ".w" + i, new Shape(in, w), bound, true));
            if (bias) {
                out.add(new ParamSpec(prefix + ".b" + i, new Shape(1, w), bound, false));
            }
            in = w;
        }
        return List.copyOf(out);
    }

    /** @return the architecture */
    public TowerConfig config() {
        return config;
    }

    /** @return the parameter specs, in the order they are initialised */
    public List<ParamSpec> specs() {
        return specs;
    }

    /**
     * Initialises this tower's parameters for K runs into {@code params}. Run k's values depend only
     * on {@code seeds[k]}: the engine's generator is reseeded for each run, so a run initialises the
     * same whether it is trained alone or stacked with others.
     *
     * @param manager owner of the new arrays
     * @param seeds one seed per run
     * @param dataType float32 or float64
     * @param params receives the stacked arrays
     */
    public void initialize(NDManager manager, long[] seeds, DataType dataType, Parameters params) {
        List<List<NDArray>> perSpec = new ArrayList<>();
        specs.forEach(s -> perSpec.add(new ArrayList<>()));
        try (NDManager scratch = manager.newSubManager()) {
            for (long seed : seeds) {
                RandomStreams.draw(manager, seed, () -> {
                    for (int i = 0; i < specs.size(); i++) {
                        ParamSpec s = specs.get(i);
                        perSpec.get(i).add(scratch.randomUniform(
                                (float) -s.initBound(), (float) s.initBound(), s.shape(), dataType));
                    }
                    return null;
                });
            }
            for (int i = 0; i < specs.size(); i++) {
                NDArray stacked = NDArrays.stack(new NDList(perSpec.get(i)));
                stacked.attach(manager);
                params.put(specs.get(i), stacked);
            }
        }
    }

    /**
     * Embeds a batch for every run.
     *
     * @param params the model's parameters (must hold this tower's)
     * @param x inputs {@code [K, n, in]}
     * @return embeddings {@code [K, n, d]} on {@code x}'s manager
     */
    public NDArray forward(Parameters params, NDArray x) {
        return config.output().apply(forwardRaw(params, x));
    }

    /**
     * The last layer's output before the output map, {@code u} with {@code z = output(u)}; a
     * backward pass of {@code sum(u . dL/du)} with {@code dL/du} from
     * {@link OutputMap#backward} gives the same parameter gradients as one of {@code sum(z . dL/dz)},
     * without the output map's ops in the autograd graph.
     *
     * @param params the model's parameters (must hold this tower's)
     * @param x inputs {@code [K, n, in]}
     * @return {@code [K, n, d]} on {@code x}'s manager
     */
    public NDArray forwardRaw(Parameters params, NDArray x) {
        return forwardLayers(params, x).output();
    }

    /**
     * What {@link #backwardLayers} needs from a forward pass: every layer's input (the tower's
     * input first, then each hidden activation) and the last layer's output u (before the output
     * map). For one run the inputs are {@code [n, in]} views, otherwise {@code [K, n, in]}.
     *
     * @param inputs layer i's input, for every layer
     * @param output u, {@code [K, n, d]}
     */
    public record LayerCache(List<NDArray> inputs, NDArray output) {}

    /**
     * @return whether {@link #backwardLayers} applies: every hidden nonlinearity has a closed-form
     *     derivative (not GELU)
     */
    public boolean hasLayerBackward() {
        return config.hidden().isEmpty() || config.activation().hasClosedFormBackward();
    }

    /**
     * The forward pass, keeping each layer's input for {@link #backwardLayers}. One run takes plain
     * matrix products on {@code [n, in]} views with the bias fused into the product (addmm)
     * instead of batched products over a run axis of length one: the same values, and libtorch's
     * backward is then plain products as well.
     *
     * @param params the model's parameters
     * @param x inputs {@code [K, n, in]}
     * @return the layer inputs and u
     */
    public LayerCache forwardLayers(Parameters params, NDArray x) {
        int layers = config.hidden().size() + 1;
        boolean one = x.getShape().get(0) == 1;
        List<NDArray> inputs = new ArrayList<>(layers);
        NDArray h = one ? x.reshape(x.getShape().get(1), x.getShape().get(2)) : x;
        for (int i = 0; i < layers; i++) {
            inputs.add(h);
            NDArray next = one ? layerOneRun(params, h, i) : layerStacked(params, h, i);
            if (i < layers - 1) {
                next = config.activation().apply(next);
            }
            h = next;
        }
        return new LayerCache(List.copyOf(inputs), one ? h.expandDims(0) : h);
    }

    /**
     * The parameter gradients from {@code dL/du}, layer by layer in closed form, with no autograd
     * graph: for layer i with input h and output gradient g, {@code dL/dW = h^T g},
     * {@code dL/db = sum_rows g}, and {@code dL/dh = g W^T} turned into the previous layer's g by
     * the nonlinearity's derivative ({@link Activation#backwardInPlace}). These are the products
     * and reductions libtorch's autograd takes for the same graph.
     *
     * @param params the model's parameters
     * @param cache what {@link #forwardLayers} returned; consumed: the hidden activations are
     *     overwritten once their layer's gradients are taken
     * @param gradU {@code dL/du}, {@code [K, n, d]} (not modified)
     * @return {@code parameter -> dL/dparameter}, shaped like the parameter
     */
    public java.util.Map<ParamSpec, NDArray> backwardLayers(Parameters params, LayerCache cache, NDArray gradU) {
        if (!hasLayerBackward()) {
            throw new IllegalStateException(prefix + " has no layer-wise backward (" + config.activation() + ")");
        }
        int layers = cache.inputs().size();
        boolean one = gradU.getShape().get(0) == 1;
        boolean bias = config.kind() == TowerKind.MLP;
        java.util.Map<ParamSpec, NDArray> grads = new java.util.LinkedHashMap<>();
        NDArray g = one ? gradU.reshape(gradU.getShape().get(1), gradU.getShape().get(2)) : gradU;
        for (int i = layers - 1; i >= 0; i--) {
            NDArray h = cache.inputs().get(i);
            NDArray w = params.get(prefix + ".w" + i);
            ParamSpec wSpec = params.spec(prefix + ".w" + i);
            if (one) {
                grads.put(wSpec, h.transpose().matMul(g).expandDims(0));
                if (bias) {
                    grads.put(params.spec(prefix + ".b" + i), g.sum(new int[] {0}, true).expandDims(0));
                }
            } else {
                grads.put(wSpec, h.transpose(0, 2, 1).batchMatMul(g));
                if (bias) {
                    grads.put(params.spec(prefix + ".b" + i), g.sum(new int[] {1}, true));
                }
            }
            if (i > 0) {
                NDArray gh = one ? g.matMul(w.squeeze(0).transpose()) : g.batchMatMul(w.transpose(0, 2, 1));
                g = config.activation().backwardInPlace(h, gh);
            }
        }
        return grads;
    }

    private NDArray layerOneRun(Parameters params, NDArray h, int i) {
        NDArray w = params.get(prefix + ".w" + i).squeeze(0).transpose();            // [out, in] view
        NDArray bias = config.kind() == TowerKind.MLP ? params.get(prefix + ".b" + i).reshape(-1) : null;
        return ai.djl.nn.core.Linear.linear(h, w, bias).singletonOrThrow();
    }

    private NDArray layerStacked(Parameters params, NDArray h, int i) {
        NDArray next = h.batchMatMul(params.get(prefix + ".w" + i));
        return config.kind() == TowerKind.MLP ? next.add(params.get(prefix + ".b" + i)) : next;
    }

    /**
     * Rows per chunk for an autograd backward pass whose graph must stay within {@code budgetBytes}:
     * a layer of width w keeps about three {@code [K, rows, w]} arrays (pre-activation, activation,
     * and what the backward of the nonlinearity saves), the output map two more of width d.
     *
     * @param runs K
     * @param bytesPerElement 4 or 8
     * @param budgetBytes memory the graph of one chunk may take
     * @return rows per chunk, at least 1
     */
    public long graphChunkRows(int runs, int bytesPerElement, long budgetBytes) {
        long perRow = (long) runs * bytesPerElement * graphFloatsPerRow();
        return Math.max(1, budgetBytes / Math.max(1, perRow));
    }

    /** @return floats an autograd graph keeps per input row (the estimate of {@link #graphChunkRows}) */
    public long graphFloatsPerRow() {
        return config.graphFloatsPerRow();
    }

    /** @return whether {@link #backwardLinear} applies: one bias-free linear map onto the sphere */
    public boolean hasClosedFormBackward() {
        return config.kind() == TowerKind.LINEAR && config.output() == OutputMap.SPHERE;
    }

    /**
     * Forward pass of a linear tower keeping what {@link #backwardLinear} needs.
     *
     * @param params the model's parameters
     * @param x inputs {@code [K, n, in]}
     * @return {@code [z, ||u||]}: unit embeddings {@code [K, n, d]} and the pre-normalisation
     *     norms {@code [K, n, 1]} of {@code u = x W}
     */
    public NDList forwardLinear(Parameters params, NDArray x) {
        NDArray u = x.batchMatMul(params.get(prefix + ".w0"));
        NDArray norm = u.norm(new int[] {-1}, true).maximum(OutputMap.NORM_EPS);
        return new NDList(u.divi(norm), norm);
    }

    /**
     * Gradient of a scalar loss with respect to the weight of a linear tower on the sphere, given
     * {@code g = dL/dz} for {@code z = u / ||u||}, {@code u = x W}:
     * {@code dL/du = (g - z <z, g>) / ||u||}, {@code dL/dW = x^T dL/du}.
     *
     * @param x inputs {@code [K, n, in]}
     * @param z unit embeddings from {@link #forwardLinear}
     * @param norm norms from {@link #forwardLinear}
     * @param gradZ {@code dL/dz}, {@code [K, n, d]}
     * @return {@code dL/dW}, {@code [K, in, d]}
     */
    public NDArray backwardLinear(NDArray x, NDArray z, NDArray norm, NDArray gradZ) {
        return x.transpose(0, 2, 1).batchMatMul(OutputMap.sphereBackward(z, norm, gradZ));
    }

    /**
     * The closed-form parameter gradients of a linear tower on the sphere, keyed by the tower's
     * parameters (its {@link #specs()}).
     *
     * @param params the model's parameters
     * @param x inputs {@code [K, n, in]}
     * @param forward what {@link #forwardLinear} returned for x
     * @param gradZ {@code dL/dz}, {@code [K, n, d]}
     * @return {@code parameter -> dL/dparameter}
     */
    public java.util.Map<ParamSpec, NDArray> linearGradients(Parameters params, NDArray x, NDList forward, NDArray gradZ) {
        if (!hasClosedFormBackward()) {
            throw new IllegalStateException(prefix + " has no closed-form backward (" + config.kind() + ", " + config.output() + ")");
        }
        return java.util.Map.of(specs.get(0), backwardLinear(x, forward.get(0), forward.get(1), gradZ));
    }

    /** @return the prefix of this tower's parameter names */
    public String prefix() {
        return prefix;
    }
}
