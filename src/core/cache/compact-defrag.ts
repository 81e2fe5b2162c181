/**
 * Defragmenting compact cache bundles (MapProxy 1.15 `script/defrag.py`): bundles are append-only,
 * so overwritten tiles leave dead space. A bundle whose dead space exceeds both thresholds is
 * rewritten with only its live tiles, row by row as MapProxy does, into a temporary directory next
 * to it, and renamed over the old files under the bundle's writer lock. A v2 bundle is one file,
 * so readers see the old or the new one; a v1 bundle is two (`.bundle` then `.bundlx` are renamed),
 * so the renames happen while the marker `<base>.defrag` exists, and readers that may have
 * paired an old index with a new bundle read again (CompactCache `#readV1`).
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CacheError } from './errors.js';
import { CompactCache, defragMarker, readBundle } from './compact-cache.js';

export interface DefragOptions {
  /** Dead space needed, 0-1 of the file (MapProxy `--min-percent` / 100; default 0.1). */
  readonly minFraction?: number | undefined;
  /** Dead space needed in bytes (MapProxy `--min-mb`; default 1 MiB). */
  readonly minBytes?: number | undefined;
  readonly dryRun?: boolean | undefined;
  /** Told about each bundle before it is (or is not) rewritten. */
  readonly onBundle?: ((report: BundleReport) => void) | undefined;
}

export interface BundleReport {
  readonly file: string;
  /** 1-based position and the number of bundles. */
  readonly num: number;
  readonly total: number;
  /** Dead space, 0-1 of the file, and in bytes. */
  readonly fragmentation: number;
  readonly fragmentationBytes: number;
  readonly defrag: boolean;
}

const BUNDLE_NAME = /^R([0-9a-f]{4,})C([0-9a-f]{4,})\.bundle$/i;

/** Every `L??/R????C????.bundle` of the cache directory (MapProxy's glob), sorted. */
async function bundleFiles(directory: string): Promise<string[]> {
  let levels: string[];
  try {
    levels = (await readdir(directory)).filter((name) => /^L\d\d$/.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const level of levels) {
    const names = await readdir(join(directory, level));
    for (const name of names.filter((n) => BUNDLE_NAME.test(n)).sort())
      files.push(join(directory, level, name));
  }
  return files;
}

/** Defragments the bundles of `cache`; resolves with the number of bundles rewritten. */
export async function defragCompactCache(cache: CompactCache, options: DefragOptions = {}): Promise<number> {
  const minFraction = options.minFraction ?? 0.1;
  const minBytes = options.minBytes ?? 1024 * 1024;
  const files = await bundleFiles(cache.directory);
  let rewritten = 0;
  for (const [i, file] of files.entries()) {
    const base = file.slice(0, -'.bundle'.length);
    const contents = await readBundle(base, cache.version);
    if (contents === null) continue;
    const deadBytes = contents.fileBytes - contents.usedBytes;
    const fragmentation = contents.fileBytes === 0 ? 0 : 1 - contents.usedBytes / contents.fileBytes;
    const defrag = !(fragmentation < minFraction || deadBytes < minBytes);
    options.onBundle?.({
      file,
      num: i + 1,
      total: files.length,
      fragmentation,
      fragmentationBytes: deadBytes,
      defrag,
    });
    if (!defrag || options.dryRun === true) continue;
    await rewriteBundle(cache, base);
    rewritten += 1;
  }
  return rewritten;
}

/** Rewrites one bundle with its live tiles, under its writer lock (no tile stored meanwhile is lost). */
async function rewriteBundle(cache: CompactCache, base: string): Promise<void> {
  const match = BUNDLE_NAME.exec(basename(`${base}.bundle`));
  const level = Number(basename(join(base, '..')).slice(1));
  if (match === null) throw new Error(`${base}.bundle is no bundle name`);
  const row = Number.parseInt(match[1] ?? '', 16);
  const column = Number.parseInt(match[2] ?? '', 16);
  const temp = join(cache.directory, `.defrag-${randomBytes(6).toString('hex')}`);
  try {
    await cache.withBundleLock(base, async () => {
      // read again under the lock: a writer may have appended since the check
      const contents = await readBundle(base, cache.version);
      if (contents === null) return;
      const fresh = new CompactCache({ directory: temp, version: cache.version });
      for (let dy = 0; dy < 128; dy++) {
        const rowTiles = contents.tiles
          .filter((t) => t.dy === dy)
          .map((t) => ({ coord: { x: column + t.dx, y: row + dy, z: level }, data: t.data }));
        if (rowTiles.length > 0) await fresh.storeTiles(rowTiles);
      }
      const freshBase = join(temp, basename(join(base, '..')), basename(base));
      const marker = defragMarker(base);
      if (cache.version === 1) await writeFile(marker, '');
      try {
        if (contents.tiles.length === 0) {
          // MapProxy removes a bundle that has no tile left
          await rm(`${base}.bundle`, { force: true });
          await rm(`${base}.bundlx`, { force: true });
          return;
        }
        await rename(`${freshBase}.bundle`, `${base}.bundle`);
        if (cache.version === 1) await rename(`${freshBase}.bundlx`, `${base}.bundlx`);
      } finally {
        // only after both renames: a reader that saw no marker then sees the new .bundlx
        await rm(marker, { force: true });
      }
    });
  } catch (error) {
    if (error instanceof CacheError) throw error;
    throw new CacheError(`could not defragment ${base}.bundle`, 'CACHE_WRITE', {
      cause: error,
      path: `${base}.bundle`,
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
