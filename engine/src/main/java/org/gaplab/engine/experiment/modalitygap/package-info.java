/**
 * {@code gaplab reproduce modality-gap}: the population-level modality gap under latent misalignment
 * (docs/theory.md sections 5 and 7): the sigma sweep (through the sweep runner), its per-run
 * measurements and identity-encoder controls ({@link org.gaplab.engine.experiment.modalitygap.ModalityGap}),
 * and the declaration ({@link org.gaplab.engine.experiment.modalitygap.ModalityGapExperiment}).
 */
package org.gaplab.engine.experiment.modalitygap;
