/**
 * Paired data sources. A source draws (x, y) pairs directly on the training device from an
 * explicit seed, so a run's data depends only on its own seed and position in its stream, and
 * keeps a fixed evaluation set with its own seed. This module depends on {@code core},
 * {@code models} (random streams) and DJL's API only.
 */
package org.gaplab.datasets;
