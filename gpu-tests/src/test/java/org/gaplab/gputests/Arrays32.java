package org.gaplab.gputests;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Cross-device helpers for the CUDA tests: exact copies, and float32 closeness with named tolerances. */
final class Arrays32 {
    private Arrays32() {}

    /** @return GPU 0, the device every CUDA test uses */
    static Device gpu() {
        return Device.gpu(0);
    }

    /**
     * Copies an array bit-for-bit onto {@code target}'s device and hands it to {@code target}, so
     * both devices start from identical inputs (their random generators differ). Always a new tensor:
     * on the same device DJL's {@code toDevice} returns an alias of the source, which would share
     * its gradient.
     */
    static NDArray copy(NDArray source, NDManager target) {
        NDArray c = source.getDevice().equals(target.getDevice()) ? source.duplicate()
                : source.toDevice(target.getDevice(), true);
        c.attach(target);
        c.setName(source.getName());
        return c;
    }

    /**
     * Asserts {@code |a - b| <= atol + rtol * |b|} elementwise, reporting the worst element.
     *
     * @param what name of the quantity, for the message
     */
    static void assertClose(String what, float[] a, float[] b, double atol, double rtol) {
        assertThat(a).as(what + " length").hasSameSizeAs(b);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < a.length; i++) {
            double allowed = atol + rtol * Math.abs(b[i]);
            double excess = Math.abs((double) a[i] - b[i]) - allowed;
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Double.isNaN(excess))) {
                worst = i;
                worstExcess = excess;
            }
        }
        assertThat(worst).as("%s: element %d differs: gpu %s vs cpu %s (atol %s, rtol %s)", what, worst,
                worst < 0 ? 0 : a[worst], worst < 0 ? 0 : b[worst], atol, rtol).isEqualTo(-1);
    }
}
