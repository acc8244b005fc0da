/**
 * Device selection: which device a run uses and why. DJL falls back to CPU silently when it
 * cannot use CUDA; gaplab reports the reason and refuses a CUDA request it cannot honour.
 */
package org.gaplab.engine.device;
