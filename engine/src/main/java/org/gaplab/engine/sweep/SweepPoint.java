package org.gaplab.engine.sweep;

import org.gaplab.engine.config.RunConfig;

import java.util.Map;

/**
 * One point of a sweep.
 *
 * @param index position in the sweep's fixed order
 * @param overrides the grid/list values of this point (dotted keys)
 * @param seed its seed
 * @param config the resolved config
 */
public record SweepPoint(int index, Map<String, Object> overrides, long seed, RunConfig config) {}
