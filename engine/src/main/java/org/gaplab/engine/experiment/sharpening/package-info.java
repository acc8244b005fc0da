/**
 * {@code gaplab reproduce sharpening}: the gap across temperatures and misalignments, tracked
 * along the training path, and its declaration.
 */
package org.gaplab.engine.experiment.sharpening;
