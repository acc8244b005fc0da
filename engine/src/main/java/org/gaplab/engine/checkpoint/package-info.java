/**
 * Checkpoints: one self-describing file holding the run configs, parameters, optimiser moments,
 * interval accumulators and loop counters, written atomically (temp file + rename) with a format
 * version, so a resumed run continues exactly where it stopped.
 */
package org.gaplab.engine.checkpoint;
