package org.gaplab.engine.config;

import org.gaplab.core.UserException;

/**
 * A configuration that cannot be used; the message is one line naming the key or file. Bad input
 * (exit 2).
 */
public final class ConfigException extends UserException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the key or file */
    public ConfigException(String message) {
        super(message);
    }
}
