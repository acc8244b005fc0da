/**
 * Output directories: one writer at a time ({@link org.gaplab.engine.rundir.DirectoryLock}) for
 * train, sweep shards, merge and reproduce outputs.
 */
package org.gaplab.engine.rundir;
