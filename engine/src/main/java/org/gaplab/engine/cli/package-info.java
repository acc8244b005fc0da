/**
 * The {@code gaplab} command line (picocli): one small command class per subcommand, sharing
 * {@link org.gaplab.engine.cli.CommonOptions} and {@link org.gaplab.engine.cli.ExitCodes}. A
 * failure's exit code comes from its exception's category ({@link org.gaplab.core.GaplabException}):
 * bad input or an unusable resource is one line and exit 2, anything else is a bug (exit 1).
 */
package org.gaplab.engine.cli;
