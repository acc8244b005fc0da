package org.gaplab.engine.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Binary logistic regression on the device: minimises the mean log-loss plus
 * {@code (lambda / 2) ||w||^2} (the bias unpenalised) by Nesterov's accelerated gradient with a
 * fixed number of steps of size 1/L, where {@code L = lambda_max(X^T X / n) / 4 + lambda} bounds
 * the curvature (lambda_max from 20 power-iteration steps, raised by 10% as a margin).
 */
final class LogisticRegression {
    private LogisticRegression() {}

    /**
     * @param x features {@code [n, d]}, float64
     * @param xt its transpose {@code [d, n]}
     * @param y labels in {0, 1}, {@code [n, 1]}
     * @param lambda L2 penalty
     * @param steps gradient steps
     * @return {@code {w [d, 1], b [1]}} in x's manager
     */
    static NDArray[] fit(NDArray x, NDArray xt, NDArray y, double lambda, int steps) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        long d = x.getShape().get(1);
        double lipschitz = 1.1 * (largestEigenvalue(x, xt, m) / n + 1) / 4 + lambda; // +1: the bias column
        double eta = 1 / lipschitz;
        NDArray w = m.zeros(new ai.djl.ndarray.types.Shape(d, 1), x.getDataType());
        NDArray b = m.zeros(new ai.djl.ndarray.types.Shape(1), x.getDataType());
        NDArray wPrev = w;
        NDArray bPrev = b;
        for (int t = 1; t <= steps; t++) {
            double beta = (t - 1.0) / (t + 2.0);
            NDArray nw;
            NDArray nb;
            try (NDManager s = m.newSubManager()) {
                Pairwise.tempAttach(s, x, xt, y, w, b, wPrev, bPrev);
                NDArray vw = w.add(w.sub(wPrev).mul(beta));
                NDArray vb = b.add(b.sub(bPrev).mul(beta));
                NDArray p = x.matMul(vw).add(vb).neg().exp().add(1).pow(-1);
                NDArray r = p.sub(y);
                NDArray gw = xt.matMul(r).div(n).add(vw.mul(lambda));
                NDArray gb = r.mean().reshape(1);
                nw = vw.sub(gw.mul(eta));
                nb = vb.sub(gb.mul(eta));
                nw.attach(m);
                nb.attach(m);
            }
            if (wPrev != w) {
                wPrev.close();
                bPrev.close();
            }
            wPrev = w;
            bPrev = b;
            w = nw;
            b = nb;
        }
        return new NDArray[] {w, b};
    }

    private static double largestEigenvalue(NDArray x, NDArray xt, NDManager m) {
        try (NDManager s = m.newSubManager()) {
            Pairwise.tempAttach(s, x, xt);
            NDArray v = s.ones(new ai.djl.ndarray.types.Shape(x.getShape().get(1), 1), x.getDataType());
            double lambda = 0;
            for (int i = 0; i < 20; i++) {
                NDArray u = xt.matMul(x.matMul(v));
                lambda = Pairwise.scalar(u.norm()) / Math.max(Pairwise.scalar(v.norm()), Double.MIN_NORMAL);
                v = u.div(Math.max(Pairwise.scalar(u.norm()), Double.MIN_NORMAL));
            }
            return lambda;
        }
    }
}
