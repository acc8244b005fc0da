package org.gaplab.engine.experiment;

/**
 * One statement checked against a run, with the test that decides it (docs/theory.md, "Verdicts").
 *
 * @param statement the claim, as the paper makes it (or, for a control, what the comparison shows)
 * @param source where the paper states it (section or figure), or why gaplab checks it
 * @param criterion the test and its level, precisely
 * @param verdict the outcome
 * @param evidence the numbers behind the verdict: estimates, intervals, p-values
 */
public record Claim(String statement, String source, String criterion, Verdict verdict, String evidence) {
    /** Outcome of checking a claim. */
    public enum Verdict {
        /** The test rejects "no effect" in the direction the claim predicts. */
        SUPPORTED,
        /** The data contradict the claim: the opposite direction is significant, or agreement is rejected. */
        NOT_SUPPORTED,
        /**
         * The data do not show the effect and do not contradict it: too few seeds for its size (a
         * quick run), or no effect at all. Only contrary evidence reads NOT SUPPORTED.
         */
        INCONCLUSIVE;

        /** @return the verdict as summaries print it */
        public String label() {
            return name().replace('_', ' ');
        }
    }
}
