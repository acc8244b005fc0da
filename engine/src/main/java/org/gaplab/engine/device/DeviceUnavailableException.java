package org.gaplab.engine.device;

/** A device was requested that this process cannot use; the message is one line with the reason. */
public final class DeviceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the reason, one line */
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
