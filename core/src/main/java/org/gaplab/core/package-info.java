/**
 * Shared basics below every other module: argument checks, seed arithmetic, the one JSON/YAML
 * setup with atomic writes, gaplab's version, and the exception hierarchy whose categories decide
 * a command's exit code. Depends on Jackson only.
 */
package org.gaplab.core;
