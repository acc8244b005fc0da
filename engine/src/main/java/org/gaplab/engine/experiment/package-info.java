/**
 * The paper's numerical validations (docs/theory.md section 7): what every experiment shares. An
 * experiment is declared as an {@link org.gaplab.engine.experiment.Experiment} (its config record,
 * work units, how to run a unit and how to render the outputs from the units' results); the paper's
 * reproductions extend {@link org.gaplab.engine.experiment.Reproduction}, which writes the
 * declaration's common part once, and are listed in {@link org.gaplab.engine.experiment.Experiments}.
 * {@link org.gaplab.engine.experiment.ExperimentRunner} loads configs, shards, resumes and merges
 * them the same way for all, and is the only path that runs them (the CLI's and the tests').
 *
 * <p>Each reproduction is a subpackage ({@code modalitygap}, {@code gradconsistency}, {@code gibbs},
 * {@code gibbslimit}, {@code corruption}, {@code gapcontrol}, {@code alignedstart}, {@code sharpening})
 * holding its config record (paper defaults and a quick mode), its compute, and its declaration
 * ({@code *Experiment}). This package keeps the helpers they share: claims and their verdicts
 * ({@link org.gaplab.engine.experiment.Claim}, {@link org.gaplab.engine.experiment.HypothesisTests},
 * {@link org.gaplab.engine.experiment.RobustHypothesisTests}), fits over seeds ({@code Stats}; means and
 * standard errors are {@link org.gaplab.engine.measure.Moments}), outputs (JSON, CSV, summary.md), and the trained-run studies ({@link org.gaplab.engine.experiment.ParameterStudy},
 * {@link org.gaplab.engine.experiment.TrackedTraining}). Each writes a JSON with every plotted
 * number, CSV tables, PNG/SVG figures and a {@code summary.md} that checks the paper's claims.
 */
package org.gaplab.engine.experiment;
