package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.Map;

/**
 * {@link GradientPlan.TowerRoute#CACHED_CHUNKS}, gradient caching: embed chunk by chunk without a
 * graph, and once {@code g = dL/du} is known re-run each chunk of rows through the tower with a
 * graph and backward {@code sum(u_chunk . g_chunk)}; autograd adds the chunks' shares into the
 * parameters' gradients. Each chunk's graph is freed with its scope before the next is built.
 */
final class CachedChunksBackward implements TowerBackward {
    private final Tower tower;
    private final Parameters params;
    private final long chunkRows;

    CachedChunksBackward(Tower tower, Parameters params, long chunkRows) {
        this.tower = tower;
        this.params = params;
        this.chunkRows = chunkRows;
    }

    @Override
    public GradientPlan.TowerRoute route() {
        return GradientPlan.TowerRoute.CACHED_CHUNKS;
    }

    @Override
    public Pass forward(NDManager scope, NDArray input) {
        NDArray u = RowChunks.embed(scope, tower, params, input, chunkRows);    // no collector open: no graph is kept
        NDArray z = tower.config().output().apply(u);
        return new Pass() {
            @Override
            public NDArray z() {
                return z;
            }

            @Override
            public Map<ParamSpec, NDArray> gradients(NDArray gradZ) {
                backwardInChunks(scope, input, TowerBackward.gradU(tower, u, z, gradZ));
                return TowerBackward.recordedGradients(tower, params);
            }
        };
    }

    private void backwardInChunks(NDManager scope, NDArray input, NDArray gradU) {
        long n = input.getShape().get(1);
        try (GradientCollector gc = Autograd.record(scope)) {
            for (long from = 0; from < n; from += chunkRows) {
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray xc = input.get(":, {}:{}", from, Math.min(n, from + chunkRows));
                    xc.attach(chunk);    // the chunk's graph is derived from xc, so it lives on this scope
                    NDArray g = gradU.get(":, {}:{}", from, Math.min(n, from + chunkRows));
                    g.attach(chunk);
                    gc.backward(tower.forwardRaw(params, xc).mul(g).sum());
                }
            }
        }
    }
}
