package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.Map;

/**
 * {@link GradientPlan.TowerRoute#TOWER_GRAPH}: the tower's forward over the whole batch is
 * recorded inside the step's gradient collector, and one backward pass of {@code sum(u . dL/du)}
 * gives its share of {@code dL/dparams}; {@code dL/du} in closed form keeps the output map's ops
 * out of the graph. Autograd writes the gradients into the parameters, which the step resets
 * after the update.
 */
final class TowerGraphBackward implements TowerBackward {
    private final Tower tower;
    private final Parameters params;

    TowerGraphBackward(Tower tower, Parameters params) {
        this.tower = tower;
        this.params = params;
    }

    @Override
    public GradientPlan.TowerRoute route() {
        return GradientPlan.TowerRoute.TOWER_GRAPH;
    }

    @Override
    public boolean recordsWithLoss() {
        return true;
    }

    @Override
    public Pass forward(NDManager scope, NDArray input) {
        return new Pass() {
            NDArray graphed;
            NDArray u;
            NDArray z;

            @Override
            public NDArray z() {
                return z;
            }

            @Override
            public void record() {
                graphed = tower.forwardRaw(params, input);
                u = graphed.stopGradient();
                z = tower.config().output().apply(u);     // off the graph
            }

            @Override
            public NDArray head(NDArray gradZ) {
                return graphed.mul(TowerBackward.gradU(tower, u, z, gradZ)).sum();
            }

            @Override
            public Map<ParamSpec, NDArray> gradients(NDArray gradZ) {
                return TowerBackward.recordedGradients(tower, params);     // the backward ran with the loss
            }
        };
    }
}
