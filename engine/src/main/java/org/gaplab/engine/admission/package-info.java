/**
 * Admission control: the peak memory of a piece of work estimated from its config before anything
 * is allocated, and refused (one line: estimate, budget, the key to change) when it exceeds the
 * device's budget. {@link org.gaplab.engine.admission.StepBlocks} defines how a training step is
 * cut into data and logits blocks, for the trainer and the estimate alike.
 */
package org.gaplab.engine.admission;
