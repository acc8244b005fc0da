package org.gaplab.datasets;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * A source of paired samples (x, y) for contrastive training.
 *
 * <p>Implementations draw on {@code manager}'s device and take all randomness from the given seed
 * (reseeding the engine generator), so the same seed gives the same arrays on the same device.
 * The returned list holds {@code x [n, dimX]} and {@code y [n, dimY]} first, named "x" and "y";
 * a source may append further named arrays (e.g. latent angles).
 */
public interface PairedSource {
    /** @return feature dimension of modality 1 */
    int dimX();

    /** @return feature dimension of modality 2 */
    int dimY();

    /**
     * Draws training pairs.
     *
     * @param manager owner and device of the result
     * @param seed the only source of randomness
     * @param n number of pairs
     * @param dataType float32 or float64
     * @return {@code [x, y, ...]}
     */
    NDList sampleTrain(NDManager manager, long seed, int n, DataType dataType);

    /**
     * Returns the fixed evaluation set: for synthetic sources n fresh pairs from {@code seed}; for
     * finite datasets the held-out split (then {@code n} is an upper bound).
     */
    NDList evaluationSet(NDManager manager, long seed, int n, DataType dataType);
}
