/**
 * Admission control: the peak memory of a piece of work estimated from its config before anything
 * is allocated, and refused (one line: estimate, budget, the key to change) when it exceeds the
 * device's budget.
 */
package org.gaplab.engine.admission;
