package org.gaplab.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import org.gaplab.core.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Two streams drawn on two threads of one JVM give what each gives alone. */
class RandomStreamsTest {
    /**
     * One draw of the stream: two separate engine calls with a pause between them, the window in
     * which another thread's reseed would land if draws were not serialised.
     */
    private static float[] drawTwice(NDManager m, long seed) {
        return RandomStreams.draw(m, seed, () -> {
            NDArray a = m.randomNormal(new Shape(64), DataType.FLOAT32);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            NDArray b = m.randomNormal(new Shape(64), DataType.FLOAT32);
            return a.concat(b).toFloatArray();
        });
    }

    @Test
    void interleavedStreamsDrawWhatEachDrawsAlone() throws Exception {
        long[] seeds = {Seeds.derive(1, "data", 0), Seeds.derive(2, "data", 0)};
        float[][] alone = new float[2][];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 2; i++) {
                alone[i] = drawTwice(m, seeds[i]);
            }
        }
        assertThat(alone[0]).isNotEqualTo(alone[1]);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> mismatches = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int which = i;
                mismatches.add(pool.submit(() -> {
                    int bad = 0;
                    try (NDManager m = NDManager.newBaseManager()) {
                        for (int r = 0; r < 40; r++) {
                            bad += java.util.Arrays.equals(drawTwice(m, seeds[which]), alone[which]) ? 0 : 1;
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> f : mismatches) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
