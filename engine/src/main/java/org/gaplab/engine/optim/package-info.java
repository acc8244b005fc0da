/**
 * Optimisers whose state gaplab owns (DJL checkpoints drop optimiser state): Adam, AdamW and SGD
 * with momentum, per-run learning rates, a warmup + cosine schedule, and gradient clipping by each
 * run's global norm (DJL's own clipping clips values).
 */
package org.gaplab.engine.optim;
