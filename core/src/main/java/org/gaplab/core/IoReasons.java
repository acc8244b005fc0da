package org.gaplab.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * The reason of an I/O failure in words ("permission denied", "not a directory", "no space left on
 * device"). Java's file exceptions often carry only the path as their message, so "cannot lock
 * /x/afile: /x/afile" said nothing; this says why.
 */
public final class IoReasons {
    private IoReasons() {}

    /**
     * @param e the failure
     * @return a short phrase saying why it failed, without repeating the path
     */
    public static String of(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getReason() != null ? f.getReason() : "a file of that name already exists (not a directory)";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof FileSystemException f) {
            String reason = f.getReason();
            if (reason != null && !reason.isBlank()) {
                return reason.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + reason.substring(1);
            }
            return f.getClass().getSimpleName();
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        // "Is a directory" from the operating system reads as the rest of a sentence
        return Character.isUpperCase(m.charAt(0)) && (m.length() < 2 || Character.isLowerCase(m.charAt(1)))
                ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }
}
