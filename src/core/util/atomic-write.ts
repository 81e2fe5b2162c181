/**
 * Atomic file writes (tiles, legends, seed progress): write a uniquely named temp file beside the
 * target, then rename it over the target (MapProxy `util/fs.py` `write_atomic`). Readers never see
 * a partial file.
 */
import { randomInt } from 'node:crypto';
import { chmod, lstat, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDirectory } from './make-directory.js';
import { isErrno } from './errors.js';

export interface WriteModes {
  /** Mode of written files (`file_permissions`), applied with chmod so the umask does not narrow it. */
  readonly fileMode?: number | null | undefined;
  /** Mode of created directories (`directory_permissions`). */
  readonly dirMode?: number | null | undefined;
}

/**
 * Writes `data` to `path` atomically, creating missing directories. On any failure the temp file is
 * removed and the error is rethrown; the target is then either untouched or complete.
 */
export async function writeFileAtomic(path: string, data: Buffer, modes: WriteModes = {}): Promise<void> {
  // MapProxy: filename + '.tmp-' + random, opened O_EXCL so concurrent writers never share a temp file
  const temp = `${path}.tmp-${randomInt(0, 100000000)}`;
  try {
    try {
      await writeFile(temp, data, { flag: 'wx', mode: 0o664 });
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      await ensureDirectory(dirname(path), modes.dirMode);
      await writeFile(temp, data, { flag: 'wx', mode: 0o664 });
    }
    if (modes.fileMode !== undefined && modes.fileMode !== null) await chmod(temp, modes.fileMode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** `<name>.tmp-<random>` of `writeFileAtomic` and MapProxy's `write_atomic`; `.tmp-link-` of linked tiles. */
const TEMP_FILE = /\.tmp-(?:link-)?\d+$/;

/**
 * Removes the temp files of atomic writes in `dir` (not below it) last modified before
 * `olderThanMs` (epoch ms): what a writer killed between write and rename left behind. Resolves
 * with the number removed; a missing directory, or a file someone else removed first, is no error.
 */
export async function removeStaleTempFiles(dir: string, olderThanMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names.filter((n) => TEMP_FILE.test(n))) {
    const path = join(dir, name);
    try {
      const info = await lstat(path);
      if (info.isDirectory() || info.mtimeMs >= olderThanMs) continue;
      await unlink(path);
      removed += 1;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  return removed;
}
