package org.gaplab.engine.config;

/** A configuration that cannot be used; the message is one line naming the key or file. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the key or file */
    public ConfigException(String message) {
        super(message);
    }
}
