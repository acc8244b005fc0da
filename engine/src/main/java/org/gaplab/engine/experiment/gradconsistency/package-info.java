/**
 * {@code gaplab reproduce grad-consistency}: large-batch consistency of unimodal InfoNCE gradients
 * (docs/theory.md sections 3 and 7), its compute and claims, and its declaration.
 */
package org.gaplab.engine.experiment.gradconsistency;
