/**
 * {@code gaplab reproduce corruption}: retrieval and gap of the digits run as pairs are corrupted,
 * with the untrained control, and its declaration.
 */
package org.gaplab.engine.experiment.corruption;
