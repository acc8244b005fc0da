/**
 * The training loop. {@link org.gaplab.engine.train.Trainer} advances K run-stacked runs one step at
 * a time inside an NDManager scope and syncs with the host only when metrics are drained;
 * {@link org.gaplab.engine.train.TrainingRun} drives one run end to end with a run directory,
 * listeners, checkpoints and signal handling.
 */
package org.gaplab.engine.train;
