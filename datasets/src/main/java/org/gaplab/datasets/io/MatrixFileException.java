package org.gaplab.datasets.io;

import org.gaplab.core.UserException;

/**
 * A matrix file that cannot be used: missing, malformed, of an unsupported dtype or rank, with
 * NaN/Inf values, or inconsistent with another file. The message is one line and starts with the
 * file name, so a command line can print it as is.
 */
public class MatrixFileException extends UserException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source the file (and array name) the problem is in
     * @param problem what is wrong, one line
     */
    public MatrixFileException(String source, String problem) {
        super(source + ": " + problem);
    }

    /**
     * @param source the file the problem is in
     * @param problem what is wrong, one line
     * @param cause the underlying error
     */
    public MatrixFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
