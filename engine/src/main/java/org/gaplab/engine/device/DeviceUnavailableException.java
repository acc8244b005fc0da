package org.gaplab.engine.device;

import org.gaplab.core.UnavailableException;

/** A device was requested that this process cannot use; the message is one line with the reason. */
public final class DeviceUnavailableException extends UnavailableException {
    private static final long serialVersionUID = 1L;

    /** @param message the reason, one line */
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
