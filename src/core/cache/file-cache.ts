/**
 * The `file` cache backend: one file per tile under a directory layout (MapProxy `cache/file.py`),
 * atomic writes, optional single-colour linking, and the removal of temp files a killed writer left.
 * Async fs only; nothing here blocks the event loop.
 */
import { randomInt } from 'node:crypto';
import { link, lstat, readFile, rename, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { TileCoord } from '../grid/index.js';
import {
  ensureDirectory,
  getLogger,
  isErrno,
  readFileWithMtime,
  removeStaleTempFiles,
  withSystemReason,
  writeFileAtomic,
} from '../util/index.js';
import { lockCacheId } from './cache-dir.js';
import { CacheError } from './errors.js';
import { levelRelativePath, tileRelativePath, type DirectoryLayout } from './path-layouts.js';
import type { CachedTile, Dimensions, LoadOptions, TileCache, TileToStore } from './types.js';

/** `link_single_color_images`: `true`/`symlink` → symlinks, `hardlink` → hard links. */
export type LinkSingleColor = 'symlink' | 'hardlink';

export interface FileCacheOptions {
  /** The cache directory (see `fileCacheDirectory`). */
  readonly directory: string;
  /** File extension without dot: `png`, `jpeg`, `mixed` (MapProxy `ImageFormat.ext`). */
  readonly extension: string;
  /** Default `tc`. */
  readonly layout?: DirectoryLayout | undefined;
  readonly linkSingleColorImages?: LinkSingleColor | null | undefined;
  /** `directory_permissions` as a number, e.g. `0o775`. */
  readonly directoryPermissions?: number | null | undefined;
  /** `file_permissions` as a number, e.g. `0o664`. */
  readonly filePermissions?: number | null | undefined;
  /**
   * Temp files (`*.tmp-N`) older than this in a directory the cache writes to are leftovers of a
   * killed writer and are removed: the lock timeout (`http.client_timeout`), default 60 000.
   */
  readonly staleTempMs?: number | undefined;
}

const log = getLogger('mapproxy.cache.file');

/** Directories remembered as swept; past this the memory starts over (a second sweep is harmless). */
const MAX_SWEPT_DIRECTORIES = 10_000;

function tileName(coord: TileCoord): string {
  return `(${coord.x}, ${coord.y}, ${coord.z})`;
}

function readError(coord: TileCoord, path: string, cause: unknown): CacheError {
  return new CacheError(
    withSystemReason(`could not read tile ${tileName(coord)} from ${path}`, cause),
    'CACHE_READ',
    {
      cause,
      path,
    },
  );
}

export class FileCache implements TileCache {
  readonly directory: string;
  readonly extension: string;
  readonly layout: DirectoryLayout;
  readonly lockCacheId: string;
  readonly supportsTimestamps = true;
  readonly isDummy = false;
  readonly wantsSingleColor: boolean;
  readonly #link: LinkSingleColor | null;
  readonly #modes: { fileMode: number | null; dirMode: number | null };
  readonly #staleTempMs: number;
  readonly #swept = new Set<string>();
  readonly #sweeps = new Set<Promise<void>>();

  constructor(options: FileCacheOptions) {
    this.directory = options.directory;
    this.extension = options.extension;
    this.layout = options.layout ?? 'tc';
    this.lockCacheId = lockCacheId(options.directory);
    this.#link = options.linkSingleColorImages ?? null;
    this.wantsSingleColor = this.#link !== null;
    this.#modes = {
      fileMode: options.filePermissions ?? null,
      dirMode: options.directoryPermissions ?? null,
    };
    this.#staleTempMs = options.staleTempMs ?? 60_000;
  }

  /** Resolves once the temp-file sweeps started so far have finished (tests, shutdown). */
  async sweepsDone(): Promise<void> {
    await Promise.all(this.#sweeps);
  }

  /** Absolute path of a tile file. Throws `CacheError` for invalid dimension values. */
  tilePath(coord: TileCoord, dimensions?: Dimensions): string {
    return join(this.directory, tileRelativePath(this.layout, coord, this.extension, dimensions));
  }

  /**
   * Absolute directory holding every tile of level `z` (MapProxy `level_location`), or null for
   * layouts without level directories. Throws `CacheError` for invalid dimension values.
   */
  levelDirectory(z: number, dimensions?: Dimensions): string | null {
    const relative = levelRelativePath(this.layout, z, dimensions);
    return relative === null ? null : join(this.directory, relative);
  }

  /** Where the one copy of a single-colour tile lives: `single_color_tiles/<rrggbb[aa]>.<ext>`. */
  singleColorPath(color: readonly number[]): string {
    const hex = color.map((v) => v.toString(16).padStart(2, '0')).join('');
    return join(this.directory, 'single_color_tiles', `${hex}.${this.extension}`);
  }

  async loadTile(coord: TileCoord, options: LoadOptions = {}): Promise<CachedTile | null> {
    const path = this.tilePath(coord, options.dimensions);
    try {
      const { data, mtimeMs } = await readFileWithMtime(path);
      return { coord, data, timestampMs: options.withMetadata ? mtimeMs : null, sizeBytes: data.length };
    } catch (error) {
      if (isErrno(error, 'ELOOP')) return this.#loadLinkedTile(coord, path, options);
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return null;
      throw readError(coord, path, error);
    }
  }

  /** A tile behind a symbolic link (`link_single_color_images`, here or by MapProxy). */
  async #loadLinkedTile(coord: TileCoord, path: string, options: LoadOptions): Promise<CachedTile | null> {
    try {
      // MapProxy uses lstat: a linked single-colour tile carries the link's own mtime
      const timestampMs = options.withMetadata ? (await lstat(path)).mtimeMs : null;
      const data = await readFile(path);
      return { coord, data, timestampMs, sizeBytes: data.length };
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return null;
      throw readError(coord, path, error);
    }
  }

  loadTiles(coords: readonly TileCoord[], options: LoadOptions = {}): Promise<(CachedTile | null)[]> {
    return Promise.all(coords.map((coord) => this.loadTile(coord, options)));
  }

  async tileTimestamp(coord: TileCoord, dimensions?: Dimensions): Promise<number | null> {
    const path = this.tilePath(coord, dimensions);
    try {
      return (await lstat(path)).mtimeMs;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return null;
      throw new CacheError(withSystemReason(`could not stat tile ${tileName(coord)}`, error), 'CACHE_READ', {
        cause: error,
        path,
      });
    }
  }

  async isCached(coord: TileCoord, dimensions?: Dimensions): Promise<boolean> {
    try {
      // follows links like os.path.exists: a dangling link is not a cached tile
      await stat(this.tilePath(coord, dimensions));
      return true;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return false;
      throw new CacheError(withSystemReason(`could not stat tile ${tileName(coord)}`, error), 'CACHE_READ', {
        cause: error,
      });
    }
  }

  async storeTiles(tiles: readonly TileToStore[], dimensions?: Dimensions): Promise<void> {
    // tiles by directory: in one this process has not written to yet, the first tile creates it
    // when missing and the others follow; before, each tile of a new directory found it missing and
    // created it and its parents again (a seed's meta tile took ~100 more fs round trips)
    const groups = new Map<string, TileToStore[]>();
    for (const tile of tiles) {
      const dir = this.#directoryOf(tile, dimensions);
      groups.set(dir, [...(groups.get(dir) ?? []), tile]);
    }
    const store = (group: readonly TileToStore[]) =>
      Promise.allSettled(group.map((tile) => this.#storeTile(tile, dimensions)));
    const results = await Promise.all(
      [...groups].map(async ([dir, group]) => {
        if (this.#swept.has(dir) || group.length === 1) return store(group);
        const first = await store(group.slice(0, 1));
        return [...first, ...(await store(group.slice(1)))];
      }),
    );
    const failed = results.flat().find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** The directory `tile` goes to; '' when its path is invalid (`#storeTile` reports that). */
  #directoryOf(tile: TileToStore, dimensions?: Dimensions): string {
    try {
      return dirname(this.tilePath(tile.coord, dimensions));
    } catch {
      return '';
    }
  }

  async removeTile(coord: TileCoord, dimensions?: Dimensions): Promise<void> {
    const path = this.tilePath(coord, dimensions);
    try {
      await unlink(path);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return;
      throw new CacheError(
        withSystemReason(`could not remove tile ${tileName(coord)}`, error),
        'CACHE_WRITE',
        {
          cause: error,
          path,
        },
      );
    }
  }

  async #storeTile(tile: TileToStore, dimensions?: Dimensions): Promise<void> {
    const path = this.tilePath(tile.coord, dimensions);
    try {
      if (this.#link !== null && tile.singleColor) {
        await this.#storeSingleColor(tile, path, tile.singleColor, this.#link);
      } else {
        // a rename replaces a previous link itself, never the shared single-colour file
        await writeFileAtomic(path, tile.data, this.#modes);
      }
      this.#sweepOnce(dirname(path));
    } catch (error) {
      throw new CacheError(
        withSystemReason(`could not store tile ${tileName(tile.coord)} at ${path}`, error),
        'CACHE_WRITE',
        {
          cause: error,
          path,
        },
      );
    }
  }

  async #storeSingleColor(
    tile: TileToStore,
    path: string,
    color: readonly number[],
    mode: LinkSingleColor,
  ): Promise<void> {
    const real = this.singleColorPath(color);
    try {
      await stat(real);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      await writeFileAtomic(real, tile.data, this.#modes);
      this.#sweepOnce(dirname(real));
    }
    await ensureDirectory(dirname(path), this.#modes.dirMode);
    // link under a temp name, then rename: readers see the old tile or the link, never nothing
    const temp = `${path}.tmp-link-${randomInt(0, 100000000)}`;
    try {
      if (mode === 'symlink') await symlink(relative(dirname(path), real), temp);
      else await link(real, temp);
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The first write into a directory in this process sweeps it in the background: a killed writer
   * leaves `*.tmp-N` files that nothing else removes. One `readdir` per directory, not per tile.
   */
  #sweepOnce(dir: string): void {
    if (this.#swept.has(dir)) return;
    if (this.#swept.size >= MAX_SWEPT_DIRECTORIES) this.#swept.clear();
    this.#swept.add(dir);
    const sweep = removeStaleTempFiles(dir, Date.now() - this.#staleTempMs).then(
      (removed) => {
        if (removed > 0) log.info(`removed ${removed} stale temp file(s) in ${dir}`);
      },
      (error: unknown) => {
        log.warn(
          `could not remove stale temp files in ${dir}: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    );
    this.#sweeps.add(sweep);
    void sweep.finally(() => this.#sweeps.delete(sweep));
  }
}
