/**
 * Level-wise cleanup of a file cache (MapProxy `util/fs.py` `cleanup_directory`): files with
 * `mtime < limit` go, then empty directories; `limit` 0 removes the whole level directory.
 */
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, removeTree } from '../util/index.js';

/** Removes old files below `directory`; resolves with the number of files removed (or that would be). */
export async function cleanupDirectory(
  directory: string,
  limitSeconds: number,
  dryRun: boolean,
): Promise<number> {
  if (limitSeconds === 0 && !dryRun) {
    const count = await countFiles(directory);
    await removeTree(directory);
    return count;
  }
  return cleanDir(directory, limitSeconds, dryRun);
}

async function countFiles(directory: string): Promise<number> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).length;
}

async function cleanDir(dir: string, limitSeconds: number, dryRun: boolean): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return 0;
    throw error;
  }
  let removed = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += await cleanDir(path, limitSeconds, dryRun);
      continue;
    }
    try {
      // lstat: a linked single-colour tile counts with the link's own time, as in MapProxy
      if (limitSeconds === 0 || (await lstat(path)).mtimeMs / 1000 < limitSeconds) {
        if (!dryRun) await unlink(path);
        removed += 1;
      }
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  if (!dryRun) {
    // MapProxy remove_dir_if_emtpy: the level directory itself goes too once empty
    await rmdir(dir).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT', 'ENOTEMPTY', 'EEXIST')) throw error;
    });
  }
  return removed;
}
