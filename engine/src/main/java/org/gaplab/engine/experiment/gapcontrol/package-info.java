/**
 * {@code gaplab reproduce gap-control}: closing the gap with an explicit cross-modal penalty,
 * on the circle and the digits, and its declaration.
 */
package org.gaplab.engine.experiment.gapcontrol;
