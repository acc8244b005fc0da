package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.HashMap;
import java.util.Map;

/**
 * How one tower turns {@code dL/dz} into the gradients of its parameters on the embedding split:
 * one class per {@link GradientPlan.TowerRoute}, chosen once from the plan ({@link #of}).
 *
 * <p>A step calls {@link #forward} with no gradient collector open; a route whose graph must be
 * recorded together with the loss ({@link #recordsWithLoss()}) embeds inside the step's one
 * collector ({@link Pass#record()}) and adds its share of the backward head
 * ({@link Pass#head}); then every pass gives its gradients ({@link Pass#gradients}).
 */
public interface TowerBackward {
    /**
     * @param route the tower's route in the plan
     * @param tower the tower
     * @param params the model's parameters (the tower's among them)
     * @param chunkRows rows per backward chunk (the batch when not chunked)
     * @return the route's backward
     */
    static TowerBackward of(GradientPlan.TowerRoute route, Tower tower, Parameters params, long chunkRows) {
        return switch (route) {
            case LINEAR_CLOSED_FORM -> new LinearClosedFormBackward(tower, params);
            case LAYERS -> new LayerBackward(tower, params, chunkRows);
            case TOWER_GRAPH -> new TowerGraphBackward(tower, params);
            case CACHED_CHUNKS -> new CachedChunksBackward(tower, params, chunkRows);
        };
    }

    /** @return the route this class implements */
    GradientPlan.TowerRoute route();

    /** @return whether the forward is recorded with the loss, inside the step's gradient collector */
    default boolean recordsWithLoss() {
        return false;
    }

    /**
     * Embeds one step's input, with no gradient collector open.
     *
     * @param scope the step's manager
     * @param input the tower's input {@code [K, B, in]}
     * @return the pass; its embeddings are ready unless {@link #recordsWithLoss()}
     */
    Pass forward(NDManager scope, NDArray input);

    /** One tower's part of one step: its embeddings, what its backward needs, its gradients. */
    interface Pass {
        /** @return the embeddings {@code z}, {@code [K, B, d]} (after {@link #record()} on a recorded route) */
        NDArray z();

        /** Embeds with an autograd graph, inside the step's collector (recorded routes only). */
        default void record() {}

        /**
         * @param gradZ {@code dL/dz}
         * @return this tower's share of the step's backward head, or null when it has none (not recorded)
         */
        default NDArray head(NDArray gradZ) {
            return null;
        }

        /**
         * @param gradZ {@code dL/dz}
         * @return the gradient of each of the tower's parameters
         */
        Map<ParamSpec, NDArray> gradients(NDArray gradZ);
    }

    /** @return the gradient autograd wrote into each of the tower's parameters */
    static Map<ParamSpec, NDArray> recordedGradients(Tower tower, Parameters params) {
        Map<ParamSpec, NDArray> grads = new HashMap<>();
        for (ParamSpec p : tower.specs()) {
            grads.put(p, params.get(p).getGradient());
        }
        return grads;
    }

    /** {@code dL/du} from {@code dL/dz}, through the tower's output map in closed form (u: before the map). */
    static NDArray gradU(Tower tower, NDArray u, NDArray z, NDArray gradZ) {
        return tower.config().output().backward(u, z, gradZ);
    }
}
