package org.gaplab.engine.device;

import org.gaplab.core.UserException;

/**
 * What the user asked for: {@code auto}, {@code cpu}, {@code cuda} (GPU 0) or {@code cuda:N}.
 *
 * @param kind which family
 * @param index GPU index for {@link Kind#CUDA}; -1 otherwise
 */
public record DeviceRequest(Kind kind, int index) {
    /** Device families. */
    public enum Kind {
        /** First usable GPU, else CPU. */
        AUTO,
        /** The CPU. */
        CPU,
        /** A CUDA GPU; an error when none is usable. */
        CUDA
    }

    /**
     * Parses a device string.
     *
     * @param text {@code auto|cpu|cuda|cuda:N} (also {@code gpu}, {@code gpu:N})
     * @return the request
     * @throws UserException naming the bad value
     */
    public static DeviceRequest parse(String text) {
        String t = text == null ? "auto" : text.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "auto":
                return new DeviceRequest(Kind.AUTO, -1);
            case "cpu":
                return new DeviceRequest(Kind.CPU, -1);
            case "cuda":
            case "gpu":
                return new DeviceRequest(Kind.CUDA, 0);
            default:
                if (t.matches("(cuda|gpu):\\d{1,3}")) {
                    return new DeviceRequest(Kind.CUDA, Integer.parseInt(t.substring(t.indexOf(':') + 1)));
                }
                throw new UserException(
                        "device: expected auto, cpu, cuda or cuda:N, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + index : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
