package org.gaplab.engine.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import org.gaplab.engine.loss.GradientRequest;
import org.gaplab.engine.loss.LossGradient;
import org.gaplab.engine.loss.PairLoss;
import org.gaplab.engine.optim.Optimizer;
import org.gaplab.models.DualEncoder;
import org.gaplab.models.ParamSpec;
import org.gaplab.models.Parameters;
import org.gaplab.models.Tower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link GradientPlan.Route#EMBEDDING_SPLIT}: embeddings, the loss's closed-form {@code dL/dz},
 * then each tower's parameter gradients by its {@link TowerBackward}. Each tower answers for its
 * own {@link Tower#specs()}, the loss for the logit scale. With {@link TowerBranches} the two
 * towers' forward and backward passes (and their optimiser updates) run side by side.
 */
final class EmbeddingSplitStep implements GradientStep {
    private final DualEncoder model;
    private final PairLoss loss;
    private final Optimizer optimizer;
    private final GradientRequest request;
    private final TowerBackward tower1;
    private final TowerBackward tower2;
    /** Parameters whose gradient autograd writes (reset after each update). */
    private final List<ParamSpec> autogradParams = new ArrayList<>();
    private final TowerBranches branches;     // null: the towers run one after the other

    EmbeddingSplitStep(GradientPlan plan, DualEncoder model, PairLoss loss, Optimizer optimizer, boolean learnableScale,
            int towerThreads) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.request = new GradientRequest(plan.logitsRowBlock(), plan.unitShift(), learnableScale);
        this.tower1 = TowerBackward.of(plan.tower1(), model.tower1(), model.parameters(), plan.chunkRows1());
        this.tower2 = TowerBackward.of(plan.tower2(), model.tower2(), model.parameters(), plan.chunkRows2());
        for (Tower t : graphedTowers(plan, model)) {
            for (ParamSpec p : t.specs()) {
                model.parameters().get(p).setRequiresGradient(true);
                autogradParams.add(p);
            }
        }
        if (towerThreads > 0) {
            // the optimiser's first group is tower 1's parameters, which come first
            List<String> names = model.parameters().names();
            List<String> first = model.tower1().specs().stream().map(ParamSpec::name).toList();
            if (!names.subList(0, first.size()).equals(first)) {
                throw new IllegalStateException("tower 1's parameters must come first, got " + names);
            }
        }
        this.branches = towerThreads > 0 ? new TowerBranches(towerThreads) : null;      // last: nothing after it can fail
    }

    /** @return the towers that back-propagate through an autograd graph on the split route */
    private static List<Tower> graphedTowers(GradientPlan plan, DualEncoder model) {
        List<Tower> out = new ArrayList<>();
        if (plan.tower1().recordsGraph()) {
            out.add(model.tower1());
        }
        if (plan.tower2().recordsGraph()) {
            out.add(model.tower2());
        }
        return out;
    }

    @Override
    public Update apply(NDManager scope, NDArray x, NDArray y, double lrFactor) {
        Map<ParamSpec, NDArray> grads = new HashMap<>();
        LossGradient lg = gradients(scope, x, y, grads);
        List<NDArray> ordered = new ArrayList<>();
        for (ParamSpec p : model.parameters().specs()) {
            NDArray g = grads.get(p);
            if (g == null) {
                throw new IllegalStateException("no gradient for parameter " + p.name());
            }
            ordered.add(g);
        }
        NDArray gradNorm = branches == null ? optimizer.step(model.parameters(), ordered, lrFactor)
                : optimizer.step(model.parameters(), ordered, lrFactor, model.tower1().specs().size(), branches::both);
        for (ParamSpec p : autogradParams) {
            Parameters.resetGradient(grads.get(p));
        }
        return new Update(lg.loss(), gradNorm, lg.parts());
    }

    /** Fills {@code grads}, keyed by parameter. @return the loss and its gradient with respect to the embeddings */
    private LossGradient gradients(NDManager scope, NDArray x, NDArray y, Map<ParamSpec, NDArray> grads) {
        TowerBackward.Pass[] pass = new TowerBackward.Pass[2];
        sideBySide(() -> pass[0] = tower1.forward(scope, x), () -> pass[1] = tower2.forward(scope, y));
        NDArray scale = model.logitScale();
        LossGradient lg;
        if (tower1.recordsWithLoss() || tower2.recordsWithLoss()) {
            try (GradientCollector gc = Autograd.record(scope)) {
                pass[0].record();
                pass[1].record();
                lg = loss.valueAndGradient(pass[0].z(), pass[1].z(), scale, request);
                NDArray head = null;
                NDArray[] gz = {lg.gradZ1(), lg.gradZ2()};
                for (int t = 0; t < 2; t++) {
                    NDArray part = pass[t].head(gz[t]);
                    if (part != null) {
                        head = head == null ? part : head.add(part);
                    }
                }
                gc.backward(head);
            }
        } else {
            lg = loss.valueAndGradient(pass[0].z(), pass[1].z(), scale, request);
        }
        List<Map<ParamSpec, NDArray>> towers = new ArrayList<>(List.of(Map.of(), Map.of()));
        sideBySide(() -> towers.set(0, pass[0].gradients(lg.gradZ1())), () -> towers.set(1, pass[1].gradients(lg.gradZ2())));
        grads.putAll(towers.get(0));
        grads.putAll(towers.get(1));
        if (lg.gradLogScale() != null) {
            grads.put(model.parameters().spec(DualEncoder.LOGIT_SCALE), lg.gradLogScale());
        }
        return lg;
    }

    /** Runs two towers' work on the branches when there are any, else one after the other. */
    private void sideBySide(Runnable first, Runnable second) {
        if (branches != null) {
            branches.both(first, second);
        } else {
            first.run();
            second.run();
        }
    }

    @Override
    public void close() {
        if (branches != null) {
            branches.close();
        }
    }
}
