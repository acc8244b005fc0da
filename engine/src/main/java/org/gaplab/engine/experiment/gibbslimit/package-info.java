/**
 * {@code gaplab reproduce gibbs-limit}: whether the unimodal-gibbs deviation is the KDE's bias
 * (bandwidth and particle-count levels), built on {@link org.gaplab.engine.experiment.gibbs}.
 */
package org.gaplab.engine.experiment.gibbslimit;
