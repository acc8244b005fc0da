package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link GradientPlan.TowerRoute#LAYERS}: no autograd graph; the forward keeps each layer's input
 * and the backward takes every layer's products in closed form ({@link Tower#backwardLayers}).
 * When the batch's activations would exceed the budget, the forward embeds chunk by chunk without
 * keeping them, and the backward embeds each chunk again with its activations, adds its share of
 * the gradients, and frees them before the next.
 */
final class LayerBackward implements TowerBackward {
    private final Tower tower;
    private final Parameters params;
    private final long chunkRows;

    LayerBackward(Tower tower, Parameters params, long chunkRows) {
        this.tower = tower;
        this.params = params;
        this.chunkRows = chunkRows;
    }

    @Override
    public GradientPlan.TowerRoute route() {
        return GradientPlan.TowerRoute.LAYERS;
    }

    @Override
    public Pass forward(NDManager scope, NDArray input) {
        Tower.LayerCache layers;
        NDArray u;
        if (chunkRows >= input.getShape().get(1)) {
            layers = tower.forwardLayers(params, input);
            u = layers.output();
        } else {
            layers = null;
            u = RowChunks.embed(scope, tower, params, input, chunkRows);   // recomputed chunk by chunk in the backward
        }
        NDArray z = tower.config().output().apply(u);
        return new Pass() {
            @Override
            public NDArray z() {
                return z;
            }

            @Override
            public Map<ParamSpec, NDArray> gradients(NDArray gradZ) {
                NDArray gradU = TowerBackward.gradU(tower, u, z, gradZ);
                return layers != null ? tower.backwardLayers(params, layers, gradU) : inChunks(scope, input, gradU);
            }
        };
    }

    /** The layer-wise backward over chunks of rows; only one chunk's activations exist at a time. */
    private Map<ParamSpec, NDArray> inChunks(NDManager scope, NDArray input, NDArray gradU) {
        long n = input.getShape().get(1);
        Map<ParamSpec, NDArray> sum = new HashMap<>();
        for (long from = 0; from < n; from += chunkRows) {
            try (NDManager chunk = scope.newSubManager()) {
                NDArray xc = input.get(":, {}:{}", from, Math.min(n, from + chunkRows));
                xc.attach(chunk);
                NDArray gc = gradU.get(":, {}:{}", from, Math.min(n, from + chunkRows));
                gc.attach(chunk);
                Map<ParamSpec, NDArray> part = tower.backwardLayers(params, tower.forwardLayers(params, xc), gc);
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
}
