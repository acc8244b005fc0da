package org.gaplab.core;

/**
 * Bad input from the user: a value, key, option or file that fails validation. The message is one
 * line naming what is wrong, printed as is; the exit code is 2 ({@link Category#BAD_INPUT}).
 */
public class UserException extends GaplabException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the key, file or value */
    public UserException(String message) {
        super(Category.BAD_INPUT, message);
    }

    /**
     * @param message one line naming the key, file or value
     * @param cause the underlying error
     */
    public UserException(String message, Throwable cause) {
        super(Category.BAD_INPUT, message, cause);
    }
}
