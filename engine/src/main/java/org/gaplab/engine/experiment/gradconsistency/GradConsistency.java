package org.gaplab.engine.experiment.gradconsistency;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.engine.measure.Moments;
import org.gaplab.core.Seeds;
import org.gaplab.datasets.GaussianMixture;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.loss.CosineCritic;
import org.gaplab.engine.loss.Critic;
import org.gaplab.engine.loss.RbfCritic;
import org.gaplab.engine.loss.UnimodalInfoNce;
import org.gaplab.engine.report.Progress;
import org.gaplab.models.RandomStreams;
import org.gaplab.models.Scalars;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient consistency of unimodal InfoNCE (docs/theory.md sections 3 and 7): for each seed, a linear
 * encoder W at initialisation, B anchors x from a Gaussian mixture, positives
 * {@code x+ = x + noise * eps} and one pool of {@code N_ref} negatives. With
 * {@code g_N = d l_N / dW} on the first N negatives of the pool, it reports
 * {@code cos(g_N, g_ref)} and {@code ||g_N - g_ref|| / ||g_ref||} for the cosine critic on the
 * sphere and the RBF critic on {@code tanh} embeddings.
 *
 * <p>All seeds run as one stacked computation ({@code W: [K, d, m]}); each seed's tensors are drawn
 * after reseeding the engine generator from that seed alone, so results do not depend on K. Both
 * critics see the same W, anchors, pool and unit noise; only the noise scale differs. By default
 * the pool comes from a second mixture with freshly drawn means, as in the authors' script (which
 * made the paper's figure); {@link GradConsistencyConfig.NegativeLaw#SAME_MIXTURE} draws it from
 * the anchors' own mixture, the law rho that the theory's negatives come from.
 */
public final class GradConsistency {
    /** The two critics of the experiment, with the embedding each one uses. */
    public enum CriticKind {
        /** Cosine critic on L2-normalised embeddings. */
        COSINE("cosine (sphere)"),
        /** RBF critic on tanh-bounded embeddings. */
        RBF("RBF (tanh)");

        private final String label;

        CriticKind(String label) {
            this.label = label;
        }

        /** @return a legend label */
        public String label() {
            return label;
        }
    }

    /**
     * The curves of one critic over seeds.
     *
     * @param critic which critic
     * @param tau its temperature
     * @param noise the positive's perturbation sd
     * @param negatives the N
     * @param cosine {@code cos(g_N, g_ref)}, {@code [seeds][N]}
     * @param relError {@code ||g_N - g_ref|| / ||g_ref||}, {@code [seeds][N]}
     */
    public record Curve(CriticKind critic, double tau, double noise, List<Integer> negatives, double[][] cosine,
            double[][] relError) {
        /** @return mean over seeds of the cosine, per N */
        public double[] cosineMean() {
            return reduce(cosine, true);
        }

        /** @return std over seeds of the cosine, per N */
        public double[] cosineStd() {
            return reduce(cosine, false);
        }

        /** @return mean over seeds of the relative error, per N */
        public double[] relErrorMean() {
            return reduce(relError, true);
        }

        /** @return std over seeds of the relative error, per N */
        public double[] relErrorStd() {
            return reduce(relError, false);
        }

        /** @return the least-squares slope of log(mean relative error) against log N */
        public double relErrorSlope() {
            return Stats.logLogSlope(negatives.stream().mapToDouble(Integer::doubleValue).toArray(), relErrorMean());
        }

        private static double[] reduce(double[][] perSeed, boolean mean) {
            double[] out = new double[perSeed[0].length];
            for (int j = 0; j < out.length; j++) {
                double[] col = Stats.column(perSeed, j);
                out[j] = mean ? Moments.mean(col) : Moments.populationStd(col);
            }
            return out;
        }
    }

    /**
     * @param config the settings
     * @param device where it ran
     * @param seconds wall time of the computation
     * @param curves one per critic
     */
    public record GradConsistencyResult(GradConsistencyConfig config, String device, double seconds, List<Curve> curves) {}

    private GradConsistency() {}

    /**
     * The experiment's one work unit: both critics' curves over every seed, one stacked computation.
     *
     * @param c settings
     * @param device where to compute
     * @return the curves of both critics
     */
    static List<Curve> curves(GradConsistencyConfig c, Device device) {
        int passes = c.negatives().size() + 1;
        List<Curve> curves = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(device);
                Progress progress = Progress.start("grad-consistency", 1 + 2L * passes)) {
            NDList data = draw(root, c);
            progress.update(1, null);
            for (CriticKind kind : CriticKind.values()) {
                curves.add(curve(root, c, data, kind, progress));
            }
        }
        return curves;
    }

    /** @return rows of a seed's pool: the largest N for the prefixes, then N_ref disjoint rows for the reference */
    static int poolSize(GradConsistencyConfig c) {
        return maxN(c) + c.nRef();
    }

    private static int maxN(GradConsistencyConfig c) {
        return c.negatives().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Draws W, anchors, unit noise and pool for every seed, each from its own seed; stacked. */
    static NDList draw(NDManager root, GradConsistencyConfig c) {
        GaussianMixture mixture = new GaussianMixture(c.components(), c.inDim(), c.meanNorm(), c.sd());
        NDList w = new NDList();
        NDList x = new NDList();
        NDList eps = new NDList();
        NDList pool = new NDList();
        for (int k = 0; k < c.seeds(); k++) {
            RandomStreams.draw(root, Seeds.derive(c.firstSeed() + k, "grad-consistency", 0), () -> {
                w.add(root.randomNormal(new Shape(c.outDim(), c.inDim()), DataType.FLOAT32).div(Math.sqrt(c.inDim())));
                NDArray means = mixture.drawMeans(root, DataType.FLOAT32);
                x.add(mixture.sample(means, c.anchors()));
                eps.add(root.randomNormal(new Shape(c.anchors(), c.inDim()), DataType.FLOAT32));
                NDArray poolMeans = c.negativeLaw() == GradConsistencyConfig.NegativeLaw.SAME_MIXTURE ? means
                        : mixture.drawMeans(root, DataType.FLOAT32);
                // the N prefixes come from the first max(N) rows, the reference from the N_ref rows after them:
                // a reference that contained every g_N's negatives would approach them partly by construction
                return pool.add(mixture.sample(poolMeans, poolSize(c)));
            });
        }
        return new NDList(NDArrays.stack(w), NDArrays.stack(x), NDArrays.stack(eps), NDArrays.stack(pool));
    }

    static Curve curve(NDManager root, GradConsistencyConfig c, NDList data, CriticKind kind, Progress progress) {
        boolean cosine = kind == CriticKind.COSINE;
        double tau = cosine ? c.cosineTau() : c.rbfTau();
        double noise = cosine ? c.cosineNoise() : c.rbfNoise();
        Critic critic = cosine ? new CosineCritic() : new RbfCritic(c.rbfGamma());
        UnimodalInfoNce loss = new UnimodalInfoNce(critic, tau);
        List<Integer> ns = c.negatives();
        int k = c.seeds();
        double[][] cos = new double[k][ns.size()];
        double[][] rel = new double[k][ns.size()];
        try (NDManager keep = root.newSubManager()) {
            NDArray w = data.get(0).duplicate();
            w.attach(keep);
            w.setRequiresGradient(true);
            NDArray x = data.get(1);
            NDArray xPos = data.get(1).add(data.get(2).mul(noise));
            xPos.attach(keep);
            NDArray pool = data.get(3);
            long done = 1 + (cosine ? 0 : ns.size() + 1);
            NDArray gRef = gradient(keep, loss, cosine, w, x, xPos, pool.get(":, {}:", maxN(c)), c.nRef());
            progress.update(++done, kind.name().toLowerCase() + " N_ref");
            NDArray refNorm = gRef.norm(new int[] {1});
            NDList cosines = new NDList();
            NDList errors = new NDList();
            for (int n : ns) {
                NDArray g = gradient(keep, loss, cosine, w, x, xPos, pool, n);
                cosines.add(g.mul(gRef).sum(new int[] {1}).div(g.norm(new int[] {1}).mul(refNorm)));
                errors.add(g.sub(gRef).norm(new int[] {1}).div(refNorm));
                progress.update(++done, kind.name().toLowerCase() + " N=" + n);
            }
            // the experiment's one host sync per critic
            float[] cf = NDArrays.stack(cosines, 1).toFloatArray();
            float[] ef = NDArrays.stack(errors, 1).toFloatArray();
            for (int s = 0; s < k; s++) {
                for (int j = 0; j < ns.size(); j++) {
                    cos[s][j] = cf[s * ns.size() + j];
                    rel[s][j] = ef[s * ns.size() + j];
                }
            }
        }
        return new Curve(kind, tau, noise, ns, cos, rel);
    }

    /**
     * {@code d l_N / dW} of every seed with the first n negatives of the pool, flattened to
     * {@code [K, d m]} and attached to {@code keep}.
     */
    private static NDArray gradient(NDManager keep, UnimodalInfoNce loss, boolean sphere, NDArray w, NDArray x,
            NDArray xPos, NDArray pool, int n) {
        try (NDManager scope = keep.newSubManager()) {
            scope.tempAttachAll(w, x, xPos, pool);
            try (GradientCollector gc = org.gaplab.engine.step.Autograd.record(scope)) {
                NDArray z = embed(x, w, sphere);
                NDArray v = embed(xPos, w, sphere);
                NDArray neg = embed(pool.get(":, :{}", n), w, sphere);
                gc.backward(loss.perRun(z, v, neg).sum());
            }
            NDArray grad = w.getGradient();
            NDArray out = grad.reshape(grad.getShape().get(0), -1).duplicate();
            org.gaplab.models.Parameters.resetGradient(grad);
            out.attach(keep);
            return out;
        }
    }

    /** {@code x W^T}, then L2-normalised (sphere) or {@code tanh} (bounded). */
    static NDArray embed(NDArray x, NDArray w, boolean sphere) {
        NDArray h = x.batchMatMul(w.transpose(0, 2, 1));
        return sphere ? h.div(Scalars.atLeast(h.norm(new int[] {2}, true), 1e-12)) : h.tanh();
    }

    static String series(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? ", " : "").append(Outputs.f(v[i], 3));
        }
        return sb.append(']').toString();
    }

}
