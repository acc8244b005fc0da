package org.gaplab.engine.cli;

import org.gaplab.engine.device.DeviceChoice;
import org.gaplab.engine.device.DeviceProbe;
import org.gaplab.engine.device.DeviceRequest;

import picocli.CommandLine.Option;

/** The {@code --device} option every command that computes shares (mixed in). */
public final class DeviceOption {
    @Option(names = {"-d", "--device"}, paramLabel = "DEVICE", defaultValue = "auto",
            description = "auto | cpu | cuda | cuda:N (default: ${DEFAULT-VALUE}). A CUDA request without a usable GPU is an "
                    + "error that says why, never a silent CPU run.")
    String device;

    /** @return the parsed request (bad text fails with one line naming the option) */
    public DeviceRequest request() {
        return DeviceRequest.parse(device);
    }

    /** @return the device this process will use, with the reason (loads the engine) */
    public DeviceChoice choose() {
        return DeviceProbe.choose(request());
    }
}
