/**
 * {@code gaplab reproduce unimodal-gibbs}: particles on S^2 trained against the two-well potential
 * and the Gibbs law they should track (docs/theory.md sections 4 and 7). Holds the sphere helpers
 * the Gibbs experiments share: the potential, the Monte Carlo Gibbs reference, the geodesic KDE,
 * equal-area cells and the sphere figure; the particle step source ({@link
 * org.gaplab.engine.experiment.gibbs.Particles}); the compute, claims and report of the experiment;
 * and its declaration.
 */
package org.gaplab.engine.experiment.gibbs;
