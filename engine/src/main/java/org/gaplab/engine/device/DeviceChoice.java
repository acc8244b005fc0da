package org.gaplab.engine.device;

import ai.djl.Device;

/**
 * The device a run uses and why.
 *
 * @param device the chosen device
 * @param request what was asked for
 * @param reason one sentence with the full diagnosis, e.g. "auto: no usable GPU (...); using CPU"
 * @param problem why no GPU is used when {@code auto} chose the CPU, else null
 */
public record DeviceChoice(Device device, DeviceRequest request, String reason, GpuProblem problem) {
    /** A choice with no GPU problem to report. */
    public DeviceChoice(Device device, DeviceRequest request, String reason) {
        this(device, request, reason, null);
    }

    /**
     * @return one short line for logs and provenance, e.g. "auto: no usable GPU (CPU build of
     *     libtorch; 'gaplab info' says why); using CPU"; {@link #reason()} has the diagnosis
     */
    public String summary() {
        if (problem == null) {
            return reason;
        }
        return "auto: no usable GPU (" + problem.label() + "; 'gaplab info' says why); using CPU";
    }

    /**
     * Decides the device for a request given the facts. Never falls back silently: a CUDA request
     * that cannot be honoured throws.
     *
     * @param request what the user asked for
     * @param facts what the process sees
     * @return the choice
     * @throws DeviceUnavailableException when CUDA was requested and is unusable, or libtorch did not load
     */
    public static DeviceChoice decide(DeviceRequest request, CudaFacts facts) {
        if (facts.engineError() != null) {
            throw new DeviceUnavailableException("--device " + request + " cannot be used: " + facts.whyNoGpu());
        }
        String whyNot = facts.whyNoGpu();
        switch (request.kind()) {
            case CPU:
                return new DeviceChoice(Device.cpu(), request, "cpu: requested");
            case AUTO:
                if (whyNot == null) {
                    return new DeviceChoice(Device.gpu(0), request,
                            "auto: " + facts.gpuCount() + " GPU(s) usable with CUDA " + facts.cudaVersion()
                                    + " (libtorch " + facts.flavor() + "), using cuda:0");
                }
                return new DeviceChoice(Device.cpu(), request, "auto: no usable GPU (" + whyNot + "); using CPU", facts.problem());
            case CUDA:
            default:
                if (whyNot != null) {
                    throw new DeviceUnavailableException(
                            "CUDA was requested (--device " + request + ") but cannot be used: " + whyNot);
                }
                if (request.index() >= facts.gpuCount()) {
                    throw new DeviceUnavailableException("--device " + request + " was requested but only "
                            + facts.gpuCount() + " GPU(s) are visible (cuda:0.." + (facts.gpuCount() - 1) + ")");
                }
                return new DeviceChoice(Device.gpu(request.index()), request,
                        "cuda: requested, CUDA " + facts.cudaVersion() + " with libtorch " + facts.flavor());
        }
    }
}
