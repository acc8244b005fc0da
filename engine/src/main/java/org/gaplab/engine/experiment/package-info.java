/**
 * The paper's numerical validations (docs/theory.md section 7), one class per experiment with a
 * validated config record carrying the paper's defaults and a quick mode for tests. Each
 * experiment runs its seeds (and temperatures) as one stacked computation on one device and
 * writes a JSON with every plotted number, CSV tables, PNG/SVG figures and a {@code summary.md}
 * that checks the paper's claims against the run.
 *
 * <p>Each experiment is also declared as an {@link org.gaplab.engine.experiment.Experiment} (its
 * config record, work units, how to run a unit and how to render the outputs from the units'
 * results), listed in {@link org.gaplab.engine.experiment.Experiments}; {@link
 * org.gaplab.engine.experiment.ExperimentRunner} loads configs, shards, resumes and merges them the
 * same way for all.
 */
package org.gaplab.engine.experiment;
