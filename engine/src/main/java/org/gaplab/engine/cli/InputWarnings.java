package org.gaplab.engine.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.gaplab.datasets.io.Matrix;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Legal inputs that are probably mistakes: a warning on stderr, and the command goes on. */
final class InputWarnings {
    private static final Logger LOG = LogManager.getLogger(InputWarnings.class);

    private InputWarnings() {}

    /**
     * Counts rows that repeat an earlier row exactly. Duplicates put zero distances into the k-NN
     * estimators (log 0 in the divergence and entropy terms), which inflates them without bound.
     *
     * @param m a matrix [n, d]
     * @return the number of rows equal to an earlier row
     */
    static int duplicateRows(Matrix m) {
        int d = m.cols();
        double[] data = m.data();
        Set<RowKey> seen = new HashSet<>();
        int dup = 0;
        for (int i = 0; i < m.rows(); i++) {
            if (!seen.add(new RowKey(Arrays.copyOfRange(data, i * d, (i + 1) * d)))) {
                dup++;
            }
        }
        return dup;
    }

    /** Logs a warning when {@code m} holds repeated rows. @return the count */
    static int warnDuplicateRows(Matrix m) {
        int dup = duplicateRows(m);
        if (dup > 0) {
            LOG.warn("{}: {} of {} rows repeat an earlier row exactly; k-NN divergences and entropies treat repeats as"
                    + " zero distances and come out inflated (deduplicate the rows, or read the k-NN figures with care)",
                    m.source(), dup, m.rows());
        }
        return dup;
    }

    /** A row compared by value. */
    private record RowKey(double[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RowKey r && Arrays.equals(values, r.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }
}
