/**
 * A server process leaves the directory it was started in once everything given relative to it
 * is resolved: Node cannot start a worker thread (the image threads) when its working directory
 * has been deleted ("ENOENT ... uv_cwd"), and MapProxy's servers go on serving in that case.
 */

/**
 * Makes `/` the process's working directory, which is never deleted (daemons do the same).
 * Call it after the configuration, the log configuration and the server script were loaded:
 * relative names given later (there are none in a served configuration, whose paths are
 * relative to its own directory) would be relative to `/`.
 */
export function leaveWorkingDirectory(): void {
  process.chdir('/');
}
