/**
 * Atomic file writes for tile storage: write a uniquely named temp file beside the target, then
 * rename it over the target (MapProxy `util/fs.py` `write_atomic`). Readers never see partial tiles.
 */
import { randomInt } from 'node:crypto';
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WriteModes {
  /** Mode of written files (`file_permissions`), applied with chmod so the umask does not narrow it. */
  readonly fileMode?: number | null | undefined;
  /** Mode of created directories (`directory_permissions`). */
  readonly dirMode?: number | null | undefined;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * Creates `dir` and missing parents. With `dirMode`, every directory created here gets that mode;
 * a directory another process creates at the same time is fine.
 */
export async function ensureDirectory(dir: string, dirMode?: number | null): Promise<void> {
  if (dirMode === undefined || dirMode === null) {
    await mkdir(dir, { recursive: true });
    return;
  }
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      await stat(current);
      break;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path);
      await chmod(path, dirMode);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  }
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
