/**
 * Sweeps: many small runs trained as stacked computations. A {@link org.gaplab.engine.sweep.SweepSpec}
 * expands to numbered points; points are cut into chunks that depend only on the spec (never on
 * the machine or the shard; {@link org.gaplab.engine.sweep.SweepPlan#stack} is the one
 * group-and-chunk of stacked runs, also used by {@link org.gaplab.engine.sweep.Sweeps#run} and
 * the experiments), chunks are dealt to shards round-robin, and each shard appends one
 * row per finished point to {@code runs.jsonl}. Re-running a shard skips finished chunks; merging
 * the shards gives exactly the table of an unsharded run. A chunk trains with the listeners of
 * {@link org.gaplab.engine.train.TrainingListeners#stacked}, the same classes in the same order as a run's.
 */
package org.gaplab.engine.sweep;
