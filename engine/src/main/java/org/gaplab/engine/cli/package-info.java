/**
 * The {@code gaplab} command line (picocli): one small command class per subcommand, sharing
 * {@link org.gaplab.engine.cli.CommonOptions} and {@link org.gaplab.engine.cli.ExitCodes}.
 */
package org.gaplab.engine.cli;
