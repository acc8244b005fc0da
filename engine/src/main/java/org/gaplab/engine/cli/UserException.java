package org.gaplab.engine.cli;

/** Bad input from the user: printed as one line, exit code {@link ExitCodes#USAGE}. */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the key, file or value */
    public UserException(String message) {
        super(message);
    }
}
