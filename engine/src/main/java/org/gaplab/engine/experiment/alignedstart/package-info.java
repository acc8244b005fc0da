/**
 * {@code gaplab reproduce aligned-start}: aligned against independent starts (is the gap an
 * initialisation artifact?), tracked along the training path, and its declaration.
 */
package org.gaplab.engine.experiment.alignedstart;
