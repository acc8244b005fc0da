package org.gaplab.engine.experiment;

/**
 * One claim of THEORY.md section 7 checked against a run.
 *
 * @param statement the claim, as restated in THEORY.md
 * @param criterion how this run decides it, precisely
 * @param verdict the outcome
 * @param evidence the numbers behind the verdict
 */
public record Claim(String statement, String criterion, Verdict verdict, String evidence) {
    /** Outcome of checking a claim. */
    public enum Verdict {
        /** The run meets the criterion. */
        SUPPORTED,
        /** The run fails the criterion. */
        NOT_SUPPORTED,
        /** The run lacks what the criterion needs (e.g. a quick run without N = 512). */
        NOT_TESTED;

        /** @return SUPPORTED when {@code ok}, else NOT_SUPPORTED */
        public static Verdict of(boolean ok) {
            return ok ? SUPPORTED : NOT_SUPPORTED;
        }
    }
}
