package org.gaplab.engine.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmbeddingViewTest {
    @Test
    void principalDirectionsOfAKnownCovariance() {
        // variance 9 along e1, 4 along e2, 1 along e3 (points at +-3 e1, +-2 e2, +-1 e3)
        double[][] rows = {{3, 0, 0}, {-3, 0, 0}, {0, 2, 0}, {0, -2, 0}, {0, 0, 1}, {0, 0, -1}};
        double[][] pc = EmbeddingView.principal(rows, 3);
        assertThat(Math.abs(pc[0][0])).isCloseTo(1, within(1e-9));
        assertThat(Math.abs(pc[1][1])).isCloseTo(1, within(1e-9));
        assertThat(Math.abs(pc[2][2])).isCloseTo(1, within(1e-9));
        assertThat(pc[3][0]).isCloseTo(9.0 / 14, within(1e-9));
        assertThat(pc[3][1]).isCloseTo(4.0 / 14, within(1e-9));
    }

    @Test
    void lambertKeepsTheCentreAndPutsTheAntipodeOnTheRim() {
        double[] c = {0, 0, 1};
        double[][] xy = EmbeddingView.lambert(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 0, -1}}, c);
        assertThat(Math.hypot(xy[0][0], xy[1][0])).isCloseTo(0, within(1e-12));
        // a point 90 degrees away lies at radius 2 sin(45 deg) = sqrt 2
        assertThat(Math.hypot(xy[0][1], xy[1][1])).isCloseTo(Math.sqrt(2), within(1e-12));
        assertThat(Math.hypot(xy[0][2], xy[1][2])).isCloseTo(2, within(1e-12));
    }
}
