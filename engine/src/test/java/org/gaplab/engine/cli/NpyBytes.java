package org.gaplab.engine.cli;

import java.nio.charset.StandardCharsets;

/** Hand-made .npy headers for bad-input tests. */
final class NpyBytes {
    private NpyBytes() {}

    static byte[] header(String descr, String shape, boolean fortran) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        byte[] out = new byte[10 + h.length()];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (h.length() & 0xff), (byte) (h.length() >> 8)};
        System.arraycopy(magic, 0, out, 0, 10);
        System.arraycopy(h.getBytes(StandardCharsets.ISO_8859_1), 0, out, 10, h.length());
        return out;
    }
}
