package org.gaplab.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.gaplab.models.DualEncoder;
import org.gaplab.models.Modality;

/**
 * A trained one-run dual encoder with its own native memory, usable to embed new data from Java.
 * Close it when done.
 */
public final class TrainedModel implements AutoCloseable {
    private final NDManager manager;
    private final DualEncoder model;

    /**
     * @param source a model (possibly run-stacked)
     * @param run which run to keep
     * @param device where the copy lives
     */
    public TrainedModel(DualEncoder source, int run, Device device) {
        this.manager = NDManager.newBaseManager(device);
        this.model = source.selectRun(run, manager);
    }

    /** @return the underlying one-run model */
    public DualEncoder encoder() {
        return model;
    }

    /** @return the manager owning this model's arrays */
    public NDManager manager() {
        return manager;
    }

    /**
     * Embeds modality-1 inputs {@code [n, in1]} in chunks; the result {@code [n, d]} is attached to
     * {@code x}'s manager.
     */
    public NDArray embed1(NDArray x) {
        return embed(x, Modality.FIRST);
    }

    /** Embeds modality-2 inputs {@code [n, in2]}; see {@link #embed1}. */
    public NDArray embed2(NDArray y) {
        return embed(y, Modality.SECOND);
    }

    /** Embeds host rows of modality 1. */
    public float[][] embed1(float[][] rows) {
        return embedRows(rows, Modality.FIRST);
    }

    /** Embeds host rows of modality 2. */
    public float[][] embed2(float[][] rows) {
        return embedRows(rows, Modality.SECOND);
    }

    private float[][] embedRows(float[][] rows, Modality side) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(rows).toType(model.parameters().asList().get(0).getDataType(), false);
            NDArray z = embed(x, side).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            long d = z.getShape().get(1);
            float[] flat = z.toFloatArray();
            float[][] out = new float[rows.length][(int) d];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(flat, (int) (i * d), out[i], 0, (int) d);
            }
            return out;
        }
    }

    /**
     * Embeds {@code [n, in]} with one tower of a one-run model, chunked ({@link DualEncoder#embedRows}).
     *
     * @param model the model
     * @param x inputs {@code [n, in]}
     * @param side which tower embeds them
     * @return {@code [n, d]} on {@code x}'s manager
     */
    public static NDArray embedWith(DualEncoder model, NDArray x, Modality side) {
        return model.embedRows(x, side);
    }

    private NDArray embed(NDArray x, Modality side) {
        return embedWith(model, x, side);
    }

    @Override
    public void close() {
        manager.close();
    }
}
