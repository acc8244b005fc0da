/**
 * Output directories: one writer at a time ({@link org.gaplab.engine.rundir.DirectoryLock}) for
 * train, sweep shards, merge and reproduce outputs; which directories a command may write
 * ({@link org.gaplab.engine.rundir.OutputDirectory}); merged outputs built aside and renamed into place
 * ({@link org.gaplab.engine.rundir.StagedDirectory}).
 */
package org.gaplab.engine.rundir;
