/**
 * Outputs people and programs read: {@code metrics.jsonl}, {@code provenance.json}, the run's log
 * file, progress on the terminal, embedding views and figures (PNG, SVG and PDF, via XChart). The
 * JSON setup itself is {@link org.gaplab.core.Json}.
 */
package org.gaplab.engine.report;
