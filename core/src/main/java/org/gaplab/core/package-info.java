/**
 * Shared basics below every other module: argument checks, seed arithmetic, the one JSON/YAML
 * setup with atomic writes, gaplab's version, and the exception hierarchy whose categories decide
 * a command's exit code, and {@link org.gaplab.core.TwoWay} for work that may run side by side.
 * Depends on Jackson only.
 */
package org.gaplab.core;
