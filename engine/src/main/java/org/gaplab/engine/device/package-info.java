/**
 * Device selection: which device a run uses and why. DJL falls back to CPU silently when it
 * cannot use CUDA; gaplab reads what the process sees ({@link org.gaplab.engine.device.NativeSettings},
 * {@link org.gaplab.engine.device.CudartStatus}, the loaded libtorch) into
 * {@link org.gaplab.engine.device.CudaFacts}, names the first problem
 * ({@link org.gaplab.engine.device.GpuProblem}: no cudart, no driver, driver too old, no device,
 * CPU libtorch, flavor mismatch, ...), and refuses a CUDA request it cannot honour.
 */
package org.gaplab.engine.device;
