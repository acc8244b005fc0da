package org.gaplab.engine.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDList;

import org.gaplab.engine.config.RunConfig;

import java.util.List;

/**
 * What a checkpoint is written from: the stacked runs' configs, the loop counters and the named
 * arrays of a trainer. The trainer implements it, so this package needs nothing from the training
 * loop above it.
 */
public interface CheckpointSource {
    /** @return the runs, in stack order */
    List<RunConfig> runs();

    /** @return the current loop counters */
    Counters counters();

    /** @return the device the arrays live on (recorded, for the reader's information) */
    Device device();

    /** @return the parameters, named as in the model, stacked over runs */
    NDList parameterList();

    /** @return the optimiser's moments, named */
    NDList optimizerState();

    /** @return the interval accumulators, named */
    NDList accumulators();
}
