/**
 * `mkdir -p` that always ends: Node 20's `mkdir(..., { recursive: true })` loops forever where
 * mkdir answers ENOENT for a parent that exists (under /proc), so the missing parents are found
 * with stat and created one by one.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isErrno } from './errors.js';

/**
 * Creates `dir` and missing parents. With `dirMode`, every directory created here gets that mode
 * (chmod, so the umask does not narrow it: MapProxy's `directory_permissions`); a directory another
 * process creates at the same time is fine. Rejects with mkdir's error (EPERM, ENOENT, ENOTDIR...).
 */
export async function ensureDirectory(dir: string, dirMode?: number | null): Promise<void> {
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
      if (dirMode !== undefined && dirMode !== null) await chmod(path, dirMode);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  }
}
