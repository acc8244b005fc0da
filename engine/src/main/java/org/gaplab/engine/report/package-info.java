/**
 * Outputs people and programs read: JSON/JSONL/CSV writers with schema versions, run directories
 * with provenance, and figures (PNG and SVG, via XChart).
 */
package org.gaplab.engine.report;
