package org.gaplab.core;

/**
 * Base of gaplab's own exceptions. Each carries a {@link Category} that says whose problem it is
 * and so which exit code a command ends with: the user's input ({@link UserException}), a
 * resource this process cannot use ({@link UnavailableException}), or a bug. Any exception that is
 * not a {@code GaplabException} is a bug ({@link Category#INTERNAL}).
 */
public class GaplabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whose problem an exception is, with the process exit code it maps to. */
    public enum Category {
        /** A value, key, option or file the user gave cannot be used: one line, exit 2. */
        BAD_INPUT(2),
        /**
         * A device, file or directory this process cannot use, or an operation refused before it
         * started (directory locked by another process, memory over budget): one line, exit 2.
         */
        UNAVAILABLE(2),
        /** A bug in gaplab: exit 1, with the stack trace in the log. */
        INTERNAL(1);

        private final int exitCode;

        Category(int exitCode) {
            this.exitCode = exitCode;
        }

        /** @return the process exit code of this category */
        public int exitCode() {
            return exitCode;
        }

        /**
         * @param t any throwable
         * @return its category: a {@code GaplabException}'s own, {@link #INTERNAL} for anything else
         */
        public static Category of(Throwable t) {
            return t instanceof GaplabException g ? g.category() : INTERNAL;
        }
    }

    private final Category category;

    /**
     * @param category whose problem this is
     * @param message one line naming the key, file, value or resource
     */
    public GaplabException(Category category, String message) {
        super(message);
        this.category = java.util.Objects.requireNonNull(category, "category");
    }

    /**
     * @param category whose problem this is
     * @param message one line naming the key, file, value or resource
     * @param cause the underlying error
     */
    public GaplabException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = java.util.Objects.requireNonNull(category, "category");
    }

    /** @return whose problem this is */
    public Category category() {
        return category;
    }
}
