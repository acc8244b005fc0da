package org.gaplab.engine.step;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a step computes its gradient, decided once per trainer ({@link GradientPlanner}) and logged.
 *
 * <p>{@link Route#EMBEDDING_SPLIT}: the loss gives its value and {@code dL/dz1, dL/dz2} in closed
 * form over row blocks of the logits ({@code PairLoss#valueAndGradient}); each tower then turns
 * its {@code dL/dz} into parameter gradients by its own {@link TowerRoute}. {@link Route#WHOLE_GRAPH}:
 * autograd through the whole graph, logits included ({@code loss.closed_form=false}, or a loss
 * without a closed form; every built-in pair loss and penalty has one).
 *
 * <p>{@link #toMap()} and {@link #toString()} are written to {@code summary.json}, provenance and
 * the run log; each route keeps the name it had there before the enums were renamed
 * ({@link Route#key()}, {@link TowerRoute#key()}).
 *
 * @param route the route
 * @param tower1 how tower 1 back-propagates (null on the whole-graph route)
 * @param tower2 how tower 2 back-propagates (null on the whole-graph route)
 * @param logitsRowBlock rows of the {@code [K, rows, B]} logits per block
 * @param chunkRows1 rows per backward chunk of tower 1 (cached chunks or layer-wise; B when not chunked)
 * @param chunkRows2 the same for tower 2
 * @param unitShift whether the loss uses one shift by the logit scale (unit embeddings)
 * @param reason why this route, in words
 * @param sideBySide how the towers' passes share the CPU when they run side by side (e.g. "1 + 1
 *     intra-op threads"), or null when they run one after the other
 */
public record GradientPlan(Route route, TowerRoute tower1, TowerRoute tower2, int logitsRowBlock, long chunkRows1,
        long chunkRows2, boolean unitShift, String reason, String sideBySide) {

    /** A plan whose towers run one after the other. */
    public GradientPlan(Route route, TowerRoute tower1, TowerRoute tower2, int logitsRowBlock, long chunkRows1,
            long chunkRows2, boolean unitShift, String reason) {
        this(route, tower1, tower2, logitsRowBlock, chunkRows1, chunkRows2, unitShift, reason, null);
    }

    /** @return this plan with the towers side by side, sharing the CPU as described */
    public GradientPlan withSideBySide(String threads) {
        return new GradientPlan(route, tower1, tower2, logitsRowBlock, chunkRows1, chunkRows2, unitShift, reason, threads);
    }

    /** Where the gradient comes from. */
    public enum Route {
        /** Closed-form loss gradient with respect to the embeddings, then one backward per tower. */
        EMBEDDING_SPLIT("embedding_split"),
        /** Autograd through the whole graph, towers and logits. */
        WHOLE_GRAPH("autograd");

        private final String key;

        Route(String key) {
            this.key = key;
        }

        /** @return the name written to summaries and provenance */
        public String key() {
            return key;
        }
    }

    /** How a tower turns {@code dL/dz} into parameter gradients. */
    public enum TowerRoute {
        /** A linear map onto the sphere, whose gradient has a closed form: {@code dL/dW = x^T (g - z <z, g>) / ||u||}. */
        LINEAR_CLOSED_FORM("closed_form"),
        /**
         * No autograd graph: the forward keeps each layer's input, and the backward takes every
         * layer's products in closed form ({@code Tower#backwardLayers}); over chunks of rows,
         * embedded again one at a time, when the batch's activations would exceed the budget.
         */
        LAYERS("layers"),
        /**
         * One autograd graph of the tower over the whole batch, recorded with the loss, and one
         * backward pass of {@code sum(u . g)} through it, u the tower's output before the
         * output map and {@code g = dL/du} (GELU towers).
         */
        TOWER_GRAPH("autograd"),
        /**
         * Gradient caching: embed without a graph, compute {@code g = dL/du} (u the output before
         * the output map), then re-run each chunk of rows with a graph and backward its share
         * {@code sum(u_chunk . g_chunk)}.
         */
        CACHED_CHUNKS("cached_chunks");

        private final String key;

        TowerRoute(String key) {
            this.key = key;
        }

        /** @return the name written to summaries and provenance */
        public String key() {
            return key;
        }

        /** @return whether this route builds an autograd graph of the tower (so its parameters need gradients) */
        public boolean recordsGraph() {
            return this == TOWER_GRAPH || this == CACHED_CHUNKS;
        }
    }

    /** @return the plan as JSON-ready fields, for provenance and summaries */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("route", route.key());
        if (route == Route.EMBEDDING_SPLIT) {
            m.put("tower1", tower1.key());
            m.put("tower2", tower2.key());
            m.put("logits_row_block", logitsRowBlock);
            m.put("chunk_rows_tower1", chunkRows1);
            m.put("chunk_rows_tower2", chunkRows2);
            m.put("unit_shift", unitShift);
            m.put("towers_side_by_side", sideBySide != null);
            if (sideBySide != null) {
                m.put("tower_threads", sideBySide);
            }
        }
        m.put("reason", reason);
        return m;
    }

    @Override
    public String toString() {
        if (route == Route.WHOLE_GRAPH) {
            return "autograd through the whole graph (" + reason + ")";
        }
        return "closed-form dL/dz in blocks of " + logitsRowBlock + " logit rows" + (unitShift ? " (single shift)" : " (exact maxima)")
                + "; tower1 " + describe(tower1, chunkRows1) + ", tower2 " + describe(tower2, chunkRows2)
                + (sideBySide != null ? "; towers side by side on " + sideBySide : "") + " (" + reason + ")";
    }

    private static String describe(TowerRoute r, long rows) {
        if (r == TowerRoute.CACHED_CHUNKS) {
            return "cached chunks of " + rows + " rows";
        }
        if (r == TowerRoute.LAYERS) {
            return "layer-wise closed form, " + rows + " rows per pass";
        }
        return r.key().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
