package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.Map;

/**
 * {@link GradientPlan.TowerRoute#LINEAR_CLOSED_FORM}: a linear tower onto the sphere, whose
 * parameter gradient has a closed form, {@code dL/dW = x^T (g - z <z, g>) / ||u||}
 * ({@link Tower#linearGradients}). No graph, no chunks.
 */
final class LinearClosedFormBackward implements TowerBackward {
    private final Tower tower;
    private final Parameters params;

    LinearClosedFormBackward(Tower tower, Parameters params) {
        this.tower = tower;
        this.params = params;
    }

    @Override
    public GradientPlan.TowerRoute route() {
        return GradientPlan.TowerRoute.LINEAR_CLOSED_FORM;
    }

    @Override
    public Pass forward(NDManager scope, NDArray input) {
        NDList linear = tower.forwardLinear(params, input);     // the unit embeddings and norms
        return new Pass() {
            @Override
            public NDArray z() {
                return linear.get(0);
            }

            @Override
            public Map<ParamSpec, NDArray> gradients(NDArray gradZ) {
                return tower.linearGradients(params, input, linear, gradZ);
            }
        };
    }
}
