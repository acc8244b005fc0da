package org.gaplab.datasets.paired;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

/** The bundled digits: counts, views, split and corruption through the source. */
class DigitsTest {
    @Test
    void theBundledFileHoldsAllImagesAndClasses() {
        Digits.Table t = Digits.table();
        int[] perClass = new int[10];
        for (int l : t.labels()) {
            perClass[l]++;
        }
        assertThat(perClass).containsExactly(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        for (float v : t.pixels()) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void leftAndRightViewsTogetherAreTheImage() {
        Digits.Table t = Digits.table();
        PairedData lr = Digits.paired(DigitsConfig.Views.LEFT_RIGHT);
        PairedData tb = Digits.paired(DigitsConfig.Views.TOP_BOTTOM);
        assertThat(lr.dimX()).isEqualTo(32);
        assertThat(lr.rowsX()).isEqualTo(Digits.IMAGES);
        int i = 17;
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 4; c++) {
                assertThat(lr.xValues()[i * 32 + r * 4 + c]).isEqualTo(t.pixels()[i * 64 + r * 8 + c]);
                assertThat(lr.yValues()[i * 32 + r * 4 + c]).isEqualTo(t.pixels()[i * 64 + r * 8 + 4 + c]);
            }
        }
        for (int k = 0; k < 32; k++) {
            assertThat(tb.xValues()[i * 32 + k]).isEqualTo(t.pixels()[i * 64 + k]);
            assertThat(tb.yValues()[i * 32 + k]).isEqualTo(t.pixels()[i * 64 + 32 + k]);
        }
        assertThat(lr.label(i)).isEqualTo(t.labels()[i]);
    }

    @Test
    void theDefaultSplitHoldsOutOneFifthAndCorruptionStaysWithinADigit() {
        FinitePairedSource clean = (FinitePairedSource) DigitsConfig.defaults().build();
        assertThat(clean.evalSize()).isEqualTo(359);
        assertThat(clean.trainSize()).isEqualTo(1797 - 359);
        FinitePairedSource broken = (FinitePairedSource) DigitsConfig.defaults().withCorruption(1).build();
        assertThat(broken.evalXRows()).containsExactly(clean.evalXRows());
        int[] x = broken.trainXRows();
        int[] y = broken.trainYRows();
        PairedData d = broken.data();
        for (int i = 0; i < x.length; i++) {
            assertThat(y[i]).isNotEqualTo(x[i]);
            assertThat(d.label(y[i])).isEqualTo(d.label(x[i]));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDList eval = broken.evaluationSet(m, 0, 10_000, DataType.FLOAT32);
            assertThat(eval.get(0).getShape().getShape()).containsExactly(359, 32);
            assertThat(eval.get(2).toIntArray()[0]).isEqualTo(d.label(broken.evalXRows()[0]));
        }
    }
}
