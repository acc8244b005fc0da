package org.gaplab.datasets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.gaplab.models.RandomStreams;

/**
 * The paper's circle mixture with misalignment sigma; see {@link CircleMixtureConfig}. Returns
 * {@code [x, y, theta1, theta2]}: features of both modalities and their latent angles.
 */
public final class CircleMixture implements PairedSource {
    private final CircleMixtureConfig config;

    /** @param config the constants */
    public CircleMixture(CircleMixtureConfig config) {
        this.config = config;
    }

    /** @return the constants */
    public CircleMixtureConfig config() {
        return config;
    }

    @Override
    public int dimX() {
        return 2;
    }

    @Override
    public int dimY() {
        return 2;
    }

    @Override
    public NDList sampleTrain(NDManager manager, long seed, int n, DataType dataType) {
        return sample(manager, seed, n, dataType);
    }

    @Override
    public NDList evaluationSet(NDManager manager, long seed, int n, DataType dataType) {
        return sample(manager, seed, n, dataType);
    }

    private NDList sample(NDManager manager, long seed, int n, DataType dt) {
        return RandomStreams.draw(manager, seed, () -> draw(manager, n, dt));
    }

    private NDList draw(NDManager manager, int n, DataType dt) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray base = VonMises.sample(scope, config.kappa(), n, dt);
            NDArray pick = scope.randomUniform(0, 1, new Shape(n), dt).lt(config.weight()).toType(dt, false);
            // mean = mean2 + pick * (mean1 - mean2)
            NDArray mean = pick.mul(config.mean1() - config.mean2()).add(config.mean2());
            NDArray theta1 = VonMises.wrap(base.add(mean));
            NDArray theta2 = VonMises.wrap(theta1.add(scope.randomNormal(new Shape(n), dt).mul(config.sigma())));
            NDArray x = features(scope, theta1, dt);
            NDArray y = features(scope, theta2, dt);
            NDList out = new NDList(x, y, theta1, theta2);
            String[] names = {"x", "y", "theta1", "theta2"};
            for (int i = 0; i < names.length; i++) {
                out.get(i).setName(names[i]);
            }
            out.attach(manager);
            return out;
        }
    }

    private NDArray features(NDManager scope, NDArray theta, DataType dt) {
        NDArray unit = NDArrays.stack(new NDList(theta.cos(), theta.sin()), 1);
        if (config.featureNoise() == 0) {
            return unit;
        }
        return unit.add(scope.randomNormal(new Shape(theta.getShape().get(0), 2), dt).mul(config.featureNoise()));
    }
}
