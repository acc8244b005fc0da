/**
 * Outputs people and programs read: {@code metrics.jsonl}, {@code provenance.json} (the typed
 * {@link org.gaplab.engine.report.Provenance} record, derived from the device, the config's seeds
 * and the command line), the run's log
 * file, progress on the terminal, embedding views and figures (PNG, SVG and PDF, via XChart). The
 * JSON setup itself is {@link org.gaplab.core.Json}.
 */
package org.gaplab.engine.report;
