package org.gaplab.engine.experiment.gradconsistency;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.gaplab.core.Json;
import org.gaplab.core.Seeds;
import org.gaplab.datasets.GaussianMixture;
import org.gaplab.engine.experiment.Claim;
import org.gaplab.engine.experiment.HypothesisTests;
import org.gaplab.engine.experiment.Outputs;
import org.gaplab.engine.experiment.Stats;
import org.gaplab.engine.loss.CosineCritic;
import org.gaplab.engine.loss.Critic;
import org.gaplab.engine.loss.RbfCritic;
import org.gaplab.engine.loss.UnimodalInfoNce;
import org.gaplab.engine.report.Figures;
import org.gaplab.engine.report.Progress;
import org.gaplab.models.RandomStreams;
import org.gaplab.models.Scalars;
import org.knowm.xchart.XYChart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
            try (GradientCollector gc = org.gaplab.engine.train.Autograd.record(scope)) {
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

    /**
     * Checks the paper's claims for this experiment (docs/theory.md section 7) with tests over the
     * per-seed values.
     *
     * @param r a result
     * @return the claims with verdicts
     */
    public static List<Claim> claims(GradConsistencyResult r) {
        List<Claim> out = new ArrayList<>();
        List<Integer> ns = r.config().negatives();
        String source = "paper, section 3 (consistency of the large-batch limit) and its gradient-consistency figure";
        boolean allUp = true;
        boolean anyAgainst = false;
        StringBuilder ev = new StringBuilder();
        for (Curve cv : r.curves()) {
            for (boolean cosine : new boolean[] {true, false}) {
                double[][] v = cosine ? cv.cosine() : cv.relError();
                HypothesisTests.Direction dir = cosine ? HypothesisTests.Direction.INCREASING : HypothesisTests.Direction.DECREASING;
                double[] x = new double[v.length * ns.size()];
                double[] y = new double[x.length];
                long[] seed = new long[x.length];
                for (int s = 0; s < v.length; s++) {
                    for (int j = 0; j < ns.size(); j++) {
                        x[s * ns.size() + j] = ns.get(j);
                        y[s * ns.size() + j] = v[s][j];
                        seed[s * ns.size() + j] = s;
                    }
                }
                HypothesisTests.Trend trend = HypothesisTests.trend(x, y, seed, dir);
                // a step that makes things significantly worse, reported
                double[] worse = new double[Math.max(0, ns.size() - 1)];
                for (int j = 1; j < ns.size(); j++) {
                    HypothesisTests.Direction against = cosine ? HypothesisTests.Direction.DECREASING : HypothesisTests.Direction.INCREASING;
                    worse[j - 1] = HypothesisTests.signedRank(Stats.column(v, j), Stats.column(v, j - 1), against).pExpected();
                }
                double minWorse = java.util.Arrays.stream(HypothesisTests.holm(worse)).min().orElse(1);
                // "monotonically" is not claimed (docs/theory.md section 8.1): a worse step is reported, not deciding
                allUp &= trend.test().verdict() == Claim.Verdict.SUPPORTED;
                anyAgainst |= trend.test().verdict() == Claim.Verdict.NOT_SUPPORTED;
                ev.append(cv.critic().label()).append(cosine ? " cosine " : " rel. error ").append(series(cosine
                        ? cv.cosineMean() : cv.relErrorMean())).append(" (").append(trend.agreeing()).append(" of ")
                        .append(trend.tau().length).append(" seeds trend the predicted way, p = ").append(HypothesisTests.p(trend.test().pExpected())).append("; smallest Holm p of a worse step ")
                        .append(HypothesisTests.p(minWorse)).append("); ");
            }
        }
        ev.append("fitted log-log slopes of the relative error: ");
        for (Curve cv : r.curves()) {
            ev.append(cv.critic().label()).append(' ').append(Outputs.f(cv.relErrorSlope(), 3)).append(' ');
        }
        ev.append("(an observation; the theory gives no rate)");
        out.add(new Claim("Both cos(g_N, g_ref) and the relative error improve with N.", source,
                "for each critic and each measure: a trend across seeds (Kendall's tau per seed, Wilcoxon signed-rank of the taus, "
                        + "one-sided), level " + HypothesisTests.ALPHA + "; the reference gradient uses N_ref negatives disjoint from the "
                        + "pool whose prefixes give g_N; a step from one N to the next that is significantly worse (Wilcoxon signed-rank "
                        + "over seeds, Holm-adjusted) is reported, not deciding (\"monotonically\" would need every step to improve)",
                allUp ? Claim.Verdict.SUPPORTED : anyAgainst ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE,
                ev.toString().trim()));

        String criterion = "one-sample t-test of the per-seed cosine against 0.95 at every N >= 512 for both critics, one-sided, "
                + "level " + HypothesisTests.ALPHA + "; SUPPORTED when every one is significantly above, NOT SUPPORTED when any is "
                + "significantly below (Holm-adjusted)";
        List<Integer> big = ns.stream().filter(n -> n >= 512).toList();
        if (big.isEmpty()) {
            out.add(new Claim("The cosine exceeds 0.95 for N >= 512.", source, criterion, Claim.Verdict.INCONCLUSIVE,
                    "this run has no N >= 512 (largest N = " + ns.get(ns.size() - 1) + ")"));
        } else {
            List<Double> pAbove = new ArrayList<>();
            List<Double> pBelow = new ArrayList<>();
            StringBuilder ev2 = new StringBuilder();
            for (Curve cv : r.curves()) {
                for (int n : big) {
                    int j = ns.indexOf(n);
                    HypothesisTests.Tested t = HypothesisTests.againstThreshold(Stats.column(cv.cosine(), j), 0.95, HypothesisTests.Direction.INCREASING);
                    pAbove.add(t.pExpected());
                    pBelow.add(t.pOpposite());
                    ev2.append(cv.critic().label()).append(" N=").append(n).append(": ").append(Outputs.f(cv.cosineMean()[j], 4))
                            .append(" +- ").append(Outputs.f(cv.cosineStd()[j], 4)).append(" (sd); ");
                }
            }
            // "every N and critic above" needs each test to reject (no adjustment); "some below" is Holm-adjusted
            double[] above = pAbove.stream().mapToDouble(Double::doubleValue).toArray();
            double[] below = HypothesisTests.holm(pBelow.stream().mapToDouble(Double::doubleValue).toArray());
            boolean all = java.util.Arrays.stream(above).allMatch(p -> p < HypothesisTests.ALPHA);
            boolean against = java.util.Arrays.stream(below).anyMatch(p -> p < HypothesisTests.ALPHA);
            out.add(new Claim("The cosine exceeds 0.95 for N >= 512.", source, criterion,
                    all ? Claim.Verdict.SUPPORTED : against ? Claim.Verdict.NOT_SUPPORTED : Claim.Verdict.INCONCLUSIVE,
                    ev2 + "largest p (above 0.95) = " + HypothesisTests.p(java.util.Arrays.stream(above).max().orElse(1))));
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
    public static Map<String, Object> write(GradConsistencyResult r, Path out) {
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
                        + c.negatives() + " as prefixes of one pool (the reference from N_ref further rows of it, disjoint), drawn from "
                        + (c.negativeLaw() == GradConsistencyConfig.NegativeLaw.SAME_MIXTURE ? "the anchors' own mixture"
                                : "a second mixture with fresh means (as the authors' script, which made the paper's figure)")
                        + "; " + c.seeds() + " seeds. Cosine critic: tau "
                        + c.cosineTau() + ", positive noise " + c.cosineNoise() + ". RBF critic on tanh embeddings: tau "
                        + c.rbfTau() + ", gamma " + c.rbfGamma() + ", positive noise " + c.rbfNoise() + ".",
                claims, table(r) + "\nDevice " + r.device() + ", " + Outputs.f(r.seconds(), 1) + " s.");
        return doc;
    }

    static String table(GradConsistencyResult r) {
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

    static void figures(GradConsistencyResult r, Path out) {
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
