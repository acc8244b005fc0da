package org.gaplab.engine.experiment;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.datasets.GaussianMixture;
import org.gaplab.engine.loss.CosineCritic;
import org.gaplab.engine.loss.Critic;
import org.gaplab.engine.loss.RbfCritic;
import org.gaplab.engine.loss.UnimodalInfoNce;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.Json;
import org.gaplab.engine.report.Progress;
import org.gaplab.models.Seeds;

import org.knowm.xchart.XYChart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient consistency of unimodal InfoNCE (THEORY.md sections 3 and 7): for each seed, a linear
 * encoder W at initialisation, B anchors x from a Gaussian mixture, positives
 * {@code x+ = x + noise * eps} and one pool of {@code N_ref} negatives from the same mixture. With
 * {@code g_N = d l_N / dW} on the first N negatives of the pool, it reports
 * {@code cos(g_N, g_ref)} and {@code ||g_N - g_ref|| / ||g_ref||} for the cosine critic on the
 * sphere and the RBF critic on {@code tanh} embeddings.
 *
 * <p>All seeds run as one stacked computation ({@code W: [K, d, m]}); each seed's tensors are drawn
 * after reseeding the engine generator from that seed alone, so results do not depend on K. Both
 * critics see the same W, anchors, pool and unit noise; only the noise scale differs. The authors'
 * script draws fresh mixture means for the anchors and for the pool; here one mixture per seed
 * serves both, as negatives must come from the anchors' law rho.
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
                out[j] = mean ? Stats.mean(col) : Stats.std(col);
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
    public record Result(GradConsistencyConfig config, String device, double seconds, List<Curve> curves) {}

    private GradConsistency() {}

    /**
     * Runs the experiment.
     *
     * @param c settings
     * @param device where to compute
     * @return the curves of both critics
     */
    public static Result run(GradConsistencyConfig c, Device device) {
        long start = System.nanoTime();
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
        return new Result(c, device.toString(), (System.nanoTime() - start) / 1e9, curves);
    }

    /** Draws W, anchors, unit noise and pool for every seed, each from its own seed; stacked. */
    static NDList draw(NDManager root, GradConsistencyConfig c) {
        GaussianMixture mixture = new GaussianMixture(c.components(), c.inDim(), c.meanNorm(), c.sd());
        NDList w = new NDList();
        NDList x = new NDList();
        NDList eps = new NDList();
        NDList pool = new NDList();
        for (int k = 0; k < c.seeds(); k++) {
            root.getEngine().setRandomSeed(Seeds.toEngineSeed(Seeds.derive(c.firstSeed() + k, "grad-consistency", 0)));
            w.add(root.randomNormal(new Shape(c.outDim(), c.inDim()), DataType.FLOAT32).div(Math.sqrt(c.inDim())));
            NDArray means = mixture.drawMeans(root, DataType.FLOAT32);
            x.add(mixture.sample(means, c.anchors()));
            eps.add(root.randomNormal(new Shape(c.anchors(), c.inDim()), DataType.FLOAT32));
            pool.add(mixture.sample(means, c.nRef()));
        }
        return new NDList(NDArrays.stack(w), NDArrays.stack(x), NDArrays.stack(eps), NDArrays.stack(pool));
    }

    private static Curve curve(NDManager root, GradConsistencyConfig c, NDList data, CriticKind kind, Progress progress) {
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
            NDArray gRef = gradient(keep, loss, cosine, w, x, xPos, pool, c.nRef());
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
            try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
                NDArray z = embed(x, w, sphere);
                NDArray v = embed(xPos, w, sphere);
                NDArray neg = embed(pool.get(":, :{}", n), w, sphere);
                gc.backward(loss.perRun(z, v, neg).sum());
            }
            NDArray grad = w.getGradient();
            NDArray out = grad.reshape(grad.getShape().get(0), -1).duplicate();
            grad.subi(grad); // PyTorch accumulates gradients across backward passes
            out.attach(keep);
            return out;
        }
    }

    /** {@code x W^T}, then L2-normalised (sphere) or {@code tanh} (bounded). */
    static NDArray embed(NDArray x, NDArray w, boolean sphere) {
        NDArray h = x.batchMatMul(w.transpose(0, 2, 1));
        return sphere ? h.div(h.norm(new int[] {2}, true).maximum(1e-12)) : h.tanh();
    }

    /**
     * Checks THEORY.md section 7's claims for this experiment.
     *
     * @param r a result
     * @return the claims with verdicts
     */
    public static List<Claim> claims(Result r) {
        List<Claim> out = new ArrayList<>();
        StringBuilder mono = new StringBuilder();
        boolean monotone = true;
        for (Curve cv : r.curves()) {
            double[] cm = cv.cosineMean();
            double[] em = cv.relErrorMean();
            boolean ok = true;
            for (int j = 1; j < cm.length; j++) {
                ok &= cm[j] > cm[j - 1] && em[j] < em[j - 1];
            }
            monotone &= ok;
            mono.append(cv.critic().label()).append(": cos ").append(series(cm)).append("; rel. error ")
                    .append(series(em)).append(ok ? " (monotone)" : " (not monotone)").append(". ");
        }
        out.add(new Claim("Both cos(g_N, g_ref) and the relative error improve monotonically with N.",
                "the seed-mean cosine strictly increases and the seed-mean relative error strictly decreases from each N to the next, for both critics",
                Claim.Verdict.of(monotone), mono.toString().trim()));

        List<Integer> ns = r.config().negatives();
        int from = ns.indexOf(ns.stream().filter(n -> n >= 512).findFirst().orElse(-1));
        if (from < 0) {
            out.add(new Claim("The cosine exceeds 0.95 for N >= 512.", "seed-mean cosine > 0.95 at every N >= 512, both critics",
                    Claim.Verdict.NOT_TESTED, "this run has no N >= 512 (largest N = " + ns.get(ns.size() - 1) + ")"));
        } else {
            boolean ok = true;
            StringBuilder ev = new StringBuilder();
            for (Curve cv : r.curves()) {
                double[] cm = cv.cosineMean();
                double[] cs = cv.cosineStd();
                for (int j = from; j < ns.size(); j++) {
                    ok &= cm[j] > 0.95;
                    ev.append(cv.critic().label()).append(" N=").append(ns.get(j)).append(": ")
                            .append(Outputs.f(cm[j], 4)).append(" +- ").append(Outputs.f(cs[j], 4)).append("; ");
                }
            }
            out.add(new Claim("The cosine exceeds 0.95 for N >= 512.", "seed-mean cosine > 0.95 at every N >= 512, both critics",
                    Claim.Verdict.of(ok), ev.toString().trim()));
        }

        Curve cosCurve = r.curves().get(0);
        double[] em = cosCurve.relErrorMean();
        int at64 = ns.indexOf(64);
        String slopes = "fitted log-log slopes of the relative error: cosine " + Outputs.f(cosCurve.relErrorSlope(), 3)
                + ", RBF " + Outputs.f(r.curves().get(1).relErrorSlope(), 3) + " (not expected to be -1/2)";
        if (at64 < 0 || ns.get(ns.size() - 1) < 1024) {
            out.add(new Claim("With the cosine critic (tau 0.1) the relative error stays near 1 up to N ~ 64 and ends near 0.6.",
                    "seed-mean relative error >= 0.8 at N = 64 and within 0.6 +- 0.15 at N = 1024", Claim.Verdict.NOT_TESTED,
                    "this run lacks N = 64 or N = 1024; " + slopes));
        } else {
            double last = em[em.length - 1];
            boolean ok = em[at64] >= 0.8 && Math.abs(last - 0.6) <= 0.15;
            out.add(new Claim("With the cosine critic (tau 0.1) the relative error stays near 1 up to N ~ 64 and ends near 0.6.",
                    "seed-mean relative error >= 0.8 at N = 64 and within 0.6 +- 0.15 at N = 1024", Claim.Verdict.of(ok),
                    "N=64: " + Outputs.f(em[at64], 3) + ", N=" + ns.get(ns.size() - 1) + ": " + Outputs.f(last, 3) + "; " + slopes));
        }
        return out;
    }

    private static String series(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? ", " : "").append(Outputs.f(v[i], 3));
        }
        return sb.append(']').toString();
    }

    /**
     * Writes {@code grad_consistency.json}, {@code grad_consistency.csv}, the figures
     * {@code grad_cosine.*} and {@code grad_relerr.*}, and {@code summary.md}.
     *
     * @param r the result
     * @param out the output directory
     * @return the JSON document written
     */
    public static Map<String, Object> write(Result r, Path out) {
        List<Claim> claims = claims(r);
        GradConsistencyConfig c = r.config();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", 1);
        doc.put("experiment", "grad-consistency");
        doc.put("config", c);
        doc.put("device", r.device());
        doc.put("wall_seconds", r.seconds());
        doc.put("negatives", c.negatives());
        List<Map<String, Object>> critics = new ArrayList<>();
        List<Object[]> rows = new ArrayList<>();
        for (Curve cv : r.curves()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("critic", cv.critic().name().toLowerCase());
            m.put("tau", cv.tau());
            m.put("positive_noise", cv.noise());
            m.put("cosine_mean", cv.cosineMean());
            m.put("cosine_std", cv.cosineStd());
            m.put("rel_error_mean", cv.relErrorMean());
            m.put("rel_error_std", cv.relErrorStd());
            m.put("rel_error_loglog_slope", cv.relErrorSlope());
            m.put("cosine_per_seed", cv.cosine());
            m.put("rel_error_per_seed", cv.relError());
            critics.add(m);
            double[] cm = cv.cosineMean();
            double[] cs = cv.cosineStd();
            double[] em = cv.relErrorMean();
            double[] es = cv.relErrorStd();
            for (int j = 0; j < c.negatives().size(); j++) {
                rows.add(new Object[] {cv.critic().name().toLowerCase(), c.negatives().get(j), cm[j], cs[j], em[j], es[j]});
            }
        }
        doc.put("critics", critics);
        doc.put("claims", claims);
        Json.write(out.resolve("grad_consistency.json"), doc);
        Outputs.csv(out.resolve("grad_consistency.csv"),
                List.of("critic", "N", "cosine_mean", "cosine_std", "rel_error_mean", "rel_error_std"), rows);
        figures(r, out);
        Outputs.summary(out.resolve("summary.md"), "Gradient consistency of unimodal InfoNCE",
                "Linear encoder W (" + c.outDim() + "x" + c.inDim() + ", N(0, 1/" + c.inDim() + ")) at initialisation on a "
                        + c.components() + "-component Gaussian mixture (mean norm " + c.meanNorm() + ", sd " + c.sd() + "); B = "
                        + c.anchors() + " anchors; reference gradient with N_ref = " + c.nRef() + " negatives; N = "
                        + c.negatives() + " as prefixes of the same pool; " + c.seeds() + " seeds. Cosine critic: tau "
                        + c.cosineTau() + ", positive noise " + c.cosineNoise() + ". RBF critic on tanh embeddings: tau "
                        + c.rbfTau() + ", gamma " + c.rbfGamma() + ", positive noise " + c.rbfNoise() + ".",
                claims, table(r) + "\nDevice " + r.device() + ", " + Outputs.f(r.seconds(), 1) + " s.");
        return doc;
    }

    private static String table(Result r) {
        StringBuilder sb = new StringBuilder("## Numbers (mean +- std over seeds)\n\n| critic | N | cos(g_N, g_ref) | ||g_N - g_ref|| / ||g_ref|| |\n|---|---|---|---|\n");
        for (Curve cv : r.curves()) {
            double[] cm = cv.cosineMean();
            double[] cs = cv.cosineStd();
            double[] em = cv.relErrorMean();
            double[] es = cv.relErrorStd();
            for (int j = 0; j < cv.negatives().size(); j++) {
                sb.append("| ").append(cv.critic().label()).append(" | ").append(cv.negatives().get(j)).append(" | ")
                        .append(Outputs.f(cm[j], 4)).append(" +- ").append(Outputs.f(cs[j], 4)).append(" | ")
                        .append(Outputs.f(em[j], 4)).append(" +- ").append(Outputs.f(es[j], 4)).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static void figures(Result r, Path out) {
        double[] n = r.config().negatives().stream().mapToDouble(Integer::doubleValue).toArray();
        XYChart cos = Figures.lineChart("Gradient alignment vs N (mean ± std over " + r.config().seeds() + " seeds)",
                "number of negatives N", "cos(g_N, g_ref)");
        XYChart err = Figures.lineChart("Relative gradient error vs N (mean ± std over " + r.config().seeds() + " seeds)",
                "number of negatives N", "‖g_N − g_ref‖ / ‖g_ref‖");
        for (XYChart ch : List.of(cos, err)) {
            ch.getStyler().setXAxisLogarithmic(true);
        }
        for (Curve cv : r.curves()) {
            String name = cv.critic().label() + ", τ = " + cv.tau();
            Figures.addLine(cos, name, n, cv.cosineMean(), cv.cosineStd());
            Figures.addLine(err, name, n, cv.relErrorMean(), cv.relErrorStd());
        }
        Figures.save(cos, out.resolve("grad_cosine"));
        Figures.save(err, out.resolve("grad_relerr"));
    }
}
