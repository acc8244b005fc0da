package org.gaplab.core;

/**
 * A resource this process cannot use: a device, a file or directory it cannot write, a directory
 * locked by another process, more memory than the budget allows. The message is one line with the
 * reason; the exit code is 2 ({@link Category#UNAVAILABLE}).
 */
public class UnavailableException extends GaplabException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the resource and the reason */
    public UnavailableException(String message) {
        super(Category.UNAVAILABLE, message);
    }

    /**
     * @param message one line naming the resource and the reason
     * @param cause the underlying error
     */
    public UnavailableException(String message, Throwable cause) {
        super(Category.UNAVAILABLE, message, cause);
    }
}
