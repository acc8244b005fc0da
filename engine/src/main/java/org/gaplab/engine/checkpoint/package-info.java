/**
 * Checkpoints: one self-describing file holding the run configs, parameters, optimiser moments,
 * interval accumulators and loop counters, written atomically (temp file + rename) with a format
 * version, so a resumed run continues exactly where it stopped. Written from a
 * {@link org.gaplab.engine.checkpoint.CheckpointSource} (the trainer), so this package sits below
 * the training loop.
 */
package org.gaplab.engine.checkpoint;
