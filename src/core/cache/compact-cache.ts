/**
 * The `compact` cache backend: ArcGIS compact cache bundles, version 1 (`.bundle` + `.bundlx`) and
 * version 2 (`.bundle` with its own index), byte for byte as MapProxy 1.15 `cache/compact.py` writes
 * them: `<dir>/L<zz>/R<rrrr>C<cccc>.bundle`, 128x128 tiles per bundle, row and column in lower-case hex.
 *
 * Writes append the tile data first and point the index at it afterwards (MapProxy's order), so a
 * killed writer leaves the old index entry and never a broken tile. Writers of one bundle take a
 * proper-lockfile lock `<bundle base>.lock` (MapProxy's own `.lck` is an flock file we cannot share).
 */
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TileCoord } from '../grid/index.js';
import {
  ensureDirectory,
  findDeadOwner,
  isErrno,
  pollFor,
  removeTree,
  tryLockFile,
  wakeOnEntry,
  writeFileAtomic,
} from '../util/index.js';
import { lockCacheId } from './cache-dir.js';
import { CacheError } from './errors.js';
import type { CachedTile, TileCache, TileToStore } from './types.js';

export type CompactVersion = 1 | 2;

export interface CompactCacheOptions {
  /** The cache directory holding `L<zz>/` (MapProxy: `directory`, or `<cache_dir>/<name>/<grid>`). */
  readonly directory: string;
  readonly version: CompactVersion;
  /** How long to wait for another writer of a bundle; default 60 000. */
  readonly lockTimeoutMs?: number | undefined;
  /** A bundle lock not refreshed for this long is taken over; default 10 000. */
  readonly lockStaleMs?: number | undefined;
  readonly dirMode?: number | null | undefined;
  readonly fileMode?: number | null | undefined;
}

const GRID = 128;
const TILES = GRID * GRID;

const V1_BUNDLE_HEADER_SIZE = 60;
const V1_INDEX_HEADER = Buffer.from([3, 0, 0, 0, 16, 0, 0, 0, 0, 0x40, 0, 0, 5, 0, 0, 0]);
const V1_INDEX_FOOTER = Buffer.from([0, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]);
const V1_INDEX_HEADER_SIZE = 16;

const V2_HEADER_SIZE = 64;
const V2_INDEX_SIZE = TILES * 8;
const OFFSET_MASK = 2n ** 40n - 1n;

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/** The bundle's path without extension and its first column and row (MapProxy `_get_bundle_fname_and_offset`). */
export function bundleBase(
  directory: string,
  coord: TileCoord,
): { base: string; column: number; row: number } {
  const column = Math.floor(coord.x / GRID) * GRID;
  const row = Math.floor(coord.y / GRID) * GRID;
  const level = `L${String(coord.z).padStart(2, '0')}`;
  return { base: join(directory, level, `R${hex4(row)}C${hex4(column)}`), column, row };
}

/** A fresh v1 `.bundle`: the 60-byte header and a zero size slot per tile (`BundleDataV1._init_bundle`). */
export function emptyBundleV1(column: number, row: number): Buffer {
  const buf = Buffer.alloc(V1_BUNDLE_HEADER_SIZE + TILES * 4);
  // '<4I3Q5I': 3, 16384, 16, 5 | 0, 60+65536, 40 | 16, y0, y1, x0, x1
  buf.writeUInt32LE(3, 0);
  buf.writeUInt32LE(TILES, 4);
  buf.writeUInt32LE(16, 8);
  buf.writeUInt32LE(5, 12);
  buf.writeBigUInt64LE(0n, 16);
  buf.writeBigUInt64LE(BigInt(V1_BUNDLE_HEADER_SIZE + TILES * 4), 24);
  buf.writeBigUInt64LE(40n, 32);
  buf.writeUInt32LE(16, 40);
  buf.writeUInt32LE(row, 44);
  buf.writeUInt32LE(row + 127, 48);
  buf.writeUInt32LE(column, 52);
  buf.writeUInt32LE(column + 127, 56);
  return buf;
}

/** A fresh v1 `.bundlx`: every entry points at its tile's zero size slot (`BundleIndexV1._init_index`). */
export function emptyIndexV1(): Buffer {
  const buf = Buffer.alloc(V1_INDEX_HEADER_SIZE + TILES * 5 + V1_INDEX_FOOTER.length);
  V1_INDEX_HEADER.copy(buf, 0);
  for (let i = 0; i < TILES; i++)
    buf.writeUIntLE(i * 4 + V1_BUNDLE_HEADER_SIZE, V1_INDEX_HEADER_SIZE + i * 5, 5);
  V1_INDEX_FOOTER.copy(buf, V1_INDEX_HEADER_SIZE + TILES * 5);
  return buf;
}

/** A fresh v2 `.bundle`: header and an index of offset 4, size 0 per tile (`BundleV2._init_index`). */
export function emptyBundleV2(): Buffer {
  const buf = Buffer.alloc(V2_HEADER_SIZE + V2_INDEX_SIZE);
  // '<4I3Q6I'
  buf.writeUInt32LE(3, 0);
  buf.writeUInt32LE(TILES, 4);
  buf.writeUInt32LE(0, 8);
  buf.writeUInt32LE(5, 12);
  buf.writeBigUInt64LE(0n, 16);
  buf.writeBigUInt64LE(BigInt(V2_HEADER_SIZE + V2_INDEX_SIZE), 24);
  buf.writeBigUInt64LE(40n, 32);
  buf.writeUInt32LE(20 + V2_INDEX_SIZE, 40);
  buf.writeUInt32LE(3, 44);
  buf.writeUInt32LE(16, 48);
  buf.writeUInt32LE(TILES, 52);
  buf.writeUInt32LE(5, 56);
  buf.writeUInt32LE(V2_INDEX_SIZE, 60);
  for (let i = 0; i < TILES; i++) buf.writeBigUInt64LE(4n, V2_HEADER_SIZE + i * 8);
  return buf;
}

/** v1 index entries are column-major (`x * 128 + y`), v2 row-major (`x + 128 * y`). */
function v1IndexPosition(x: number, y: number): number {
  return V1_INDEX_HEADER_SIZE + ((x % GRID) * GRID + (y % GRID)) * 5;
}

function v2IndexPosition(x: number, y: number): number {
  return V2_HEADER_SIZE + ((x % GRID) + GRID * (y % GRID)) * 8;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return bytesRead === length ? buf : buf.subarray(0, bytesRead);
}

async function openOrNull(path: string, flags: string): Promise<FileHandle | null> {
  try {
    return await open(path, flags);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/**
 * The tiles in the bundles of the level directory `level`, from their indexes alone: v2 entries
 * with a size; v1 entries pointing past the bundle's zero-size slots, where stored tiles are
 * appended (a removed tile's entry is 0). 0 when there is no directory.
 */
async function countLevelTiles(level: string, version: CompactVersion): Promise<number> {
  let names: string[];
  try {
    names = await readdir(level);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 0;
    throw error;
  }
  let count = 0;
  for (const name of names.filter((n) => n.endsWith(version === 1 ? '.bundlx' : '.bundle'))) {
    const fh = await openOrNull(join(level, name), 'r');
    if (fh === null) continue;
    try {
      if (version === 1) {
        const index = await readAt(fh, V1_INDEX_HEADER_SIZE, TILES * 5);
        for (let p = 0; p + 5 <= index.length; p += 5)
          if (index.readUIntLE(p, 5) >= V1_BUNDLE_HEADER_SIZE + TILES * 4) count += 1;
      } else {
        // an entry is the offset (5 bytes) and the size (3 bytes)
        const index = await readAt(fh, V2_HEADER_SIZE, V2_INDEX_SIZE);
        for (let p = 0; p + 8 <= index.length; p += 8) if (index.readUIntLE(p + 5, 3) > 0) count += 1;
      }
    } finally {
      await fh.close();
    }
  }
  return count;
}

/** The data the v1 index `index` points at for each of `coords`, from `<base>.bundle`; null where none. */
async function readV1Tiles(
  index: FileHandle,
  base: string,
  coords: readonly TileCoord[],
): Promise<(Buffer | null)[]> {
  const offsets: number[] = [];
  for (const coord of coords) {
    const entry = await readAt(index, v1IndexPosition(coord.x, coord.y), 5);
    offsets.push(entry.length < 5 ? 0 : entry.readUIntLE(0, 5));
  }
  if (offsets.every((offset) => offset === 0)) return coords.map(() => null);
  const bundle = await openOrNull(`${base}.bundle`, 'r');
  if (bundle === null) return coords.map(() => null);
  try {
    const data: (Buffer | null)[] = [];
    for (const offset of offsets) data.push(offset === 0 ? null : await readSizedTile(bundle, offset));
    return data;
  } finally {
    await bundle.close();
  }
}

/** The tile at `offset` of a v1 bundle: its 4-byte size, then the data; null when empty or cut. */
async function readSizedTile(bundle: FileHandle, offset: number): Promise<Buffer | null> {
  const sizeBytes = await readAt(bundle, offset, 4);
  if (sizeBytes.length < 4) return null;
  const size = sizeBytes.readUInt32LE(0);
  if (size === 0) return null;
  const data = await readAt(bundle, offset + 4, size);
  return data.length === size ? data : null;
}

/**
 * True when no defrag of bundle `base` is between its renames and `index` is still the file at
 * `<base>.bundlx`. Checked after both files were opened: a defrag that renamed the `.bundle` before
 * then has either left its marker or renamed the `.bundlx` too. A marker whose defrag died (its
 * bundle lock gone or not refreshed for `lockStaleMs`) no longer holds readers back.
 */
async function isCurrentV1Pair(index: FileHandle, base: string, lockStaleMs: number): Promise<boolean> {
  const [marker, opened, current] = await Promise.all([
    stat(defragMarker(base)).catch(() => null),
    index.stat(),
    stat(`${base}.bundlx`).catch(() => null),
  ]);
  if (current === null || current.ino !== opened.ino || current.dev !== opened.dev) return false;
  if (marker === null) return true;
  const lock = await stat(`${base}.lock`).catch(() => null);
  if (lock === null || Date.now() - lock.mtimeMs > Math.max(lockStaleMs, 2000)) return true;
  // a defrag of this host killed between its renames (SIGKILL, OOM) keeps its lock fresh until
  // stale: every read of the bundle waited up to lockStaleMs (10 s) for it
  return (await findDeadOwner(`${base}.lock`)) !== null;
}

/** The file a v1 defrag keeps while it replaces `<base>.bundle` and `<base>.bundlx`. */
export function defragMarker(base: string): string {
  return `${base}.defrag`;
}

function tileName(coord: TileCoord): string {
  return `(${coord.x}, ${coord.y}, ${coord.z})`;
}

export class CompactCache implements TileCache {
  readonly directory: string;
  readonly version: CompactVersion;
  readonly lockCacheId: string;
  readonly supportsTimestamps = false;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly #lockTimeoutMs: number;
  readonly #lockStaleMs: number;
  readonly #dirMode: number | null;
  readonly #fileMode: number | null;

  constructor(options: CompactCacheOptions) {
    this.directory = options.directory;
    this.version = options.version;
    this.lockCacheId = `compactcache-${lockCacheId(options.directory)}`;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    this.#lockStaleMs = options.lockStaleMs ?? 10_000;
    this.#dirMode = options.dirMode ?? null;
    this.#fileMode = options.fileMode ?? null;
  }

  async loadTile(coord: TileCoord): Promise<CachedTile | null> {
    const [tile] = await this.loadTiles([coord]);
    return tile ?? null;
  }

  async loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    const result = new Array<CachedTile | null>(coords.length).fill(null);
    // v1: the tiles of one bundle are read with its two files opened once
    const groups = new Map<string, number[]>();
    coords.forEach((coord, i) => {
      const { base } = bundleBase(this.directory, coord);
      const key = this.version === 1 ? base : `${base}#${String(i)}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [i]);
      else group.push(i);
    });
    for (const indices of groups.values()) {
      const group = indices.map((i) => coords[i] as TileCoord);
      const { base } = bundleBase(this.directory, group[0] as TileCoord);
      try {
        const data =
          this.version === 1
            ? await this.#readV1(base, group)
            : [await this.#readV2(base, group[0] as TileCoord)];
        indices.forEach((index, j) => {
          const tile = data[j] ?? null;
          result[index] =
            tile === null
              ? null
              : { coord: group[j] as TileCoord, data: tile, timestampMs: null, sizeBytes: tile.length };
        });
      } catch (error) {
        const what =
          group.length === 1 ? `tile ${tileName(group[0] as TileCoord)}` : `${String(group.length)} tiles`;
        throw new CacheError(`could not read ${what} from ${base}.bundle`, 'CACHE_READ', {
          cause: error,
          path: `${base}.bundle`,
        });
      }
    }
    return result;
  }

  /**
   * v1 tiles of one bundle: the `.bundlx` entries, then the data in `.bundle`. A defrag replaces
   * the two files with two renames (see compact-defrag.ts), so a read whose index may belong to
   * another `.bundle` than the one it read is repeated: while `<base>.defrag` exists, or when the
   * `.bundlx` it read is no longer the one at its path.
   */
  async #readV1(base: string, coords: readonly TileCoord[]): Promise<(Buffer | null)[]> {
    const deadline = performance.now() + this.#lockTimeoutMs;
    let pauseMs = 1;
    for (;;) {
      const index = await openOrNull(`${base}.bundlx`, 'r');
      if (index === null) return coords.map(() => null);
      try {
        const data = await readV1Tiles(index, base, coords);
        if (await isCurrentV1Pair(index, base, this.#lockStaleMs)) return data;
      } finally {
        await index.close();
      }
      if (performance.now() > deadline) {
        throw new CacheError(
          `${base}.bundle stays in the middle of a defragmentation (${base}.defrag)`,
          'CACHE_READ',
          {
            path: `${base}.defrag`,
          },
        );
      }
      await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, 50);
    }
  }

  async #readV2(base: string, coord: TileCoord): Promise<Buffer | null> {
    const bundle = await openOrNull(`${base}.bundle`, 'r');
    if (bundle === null) return null;
    try {
      const entry = await readAt(bundle, v2IndexPosition(coord.x, coord.y), 8);
      if (entry.length < 8) return null;
      const value = entry.readBigUInt64LE(0);
      const size = Number(value >> 40n);
      if (size === 0) return null;
      const data = await readAt(bundle, Number(value & OFFSET_MASK), size);
      return data.length === size ? data : null;
    } finally {
      await bundle.close();
    }
  }

  async tileTimestamp(coord: TileCoord): Promise<number | null> {
    // bundles keep no times; MapProxy reports -1 for a stored tile. 0 keeps "stored" apart from null
    return (await this.isCached(coord)) ? 0 : null;
  }

  async isCached(coord: TileCoord): Promise<boolean> {
    return (await this.loadTile(coord)) !== null;
  }

  async storeTiles(tiles: readonly TileToStore[]): Promise<void> {
    const byBundle = new Map<string, { column: number; row: number; tiles: TileToStore[] }>();
    for (const tile of tiles) {
      const { base, column, row } = bundleBase(this.directory, tile.coord);
      const group = byBundle.get(base) ?? { column, row, tiles: [] };
      group.tiles.push(tile);
      byBundle.set(base, group);
    }
    for (const [base, group] of byBundle) {
      try {
        await this.withBundleLock(base, () =>
          this.version === 1
            ? this.#storeV1(base, group.column, group.row, group.tiles)
            : this.#storeV2(base, group.tiles),
        );
      } catch (error) {
        throw new CacheError(
          `could not store ${group.tiles.length} tile(s) in ${base}.bundle`,
          'CACHE_WRITE',
          {
            cause: error,
            path: `${base}.bundle`,
          },
        );
      }
    }
  }

  async removeTile(coord: TileCoord): Promise<void> {
    const { base } = bundleBase(this.directory, coord);
    const file = this.version === 1 ? `${base}.bundlx` : `${base}.bundle`;
    try {
      await stat(file);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return;
      throw error;
    }
    try {
      await this.withBundleLock(base, async () => {
        const fh = await open(file, 'r+');
        try {
          if (this.version === 1) await fh.write(Buffer.alloc(5), 0, 5, v1IndexPosition(coord.x, coord.y));
          else await fh.write(Buffer.alloc(8), 0, 8, v2IndexPosition(coord.x, coord.y));
        } finally {
          await fh.close();
        }
      });
    } catch (error) {
      throw new CacheError(`could not remove tile ${tileName(coord)} from ${file}`, 'CACHE_WRITE', {
        cause: error,
        path: file,
      });
    }
  }

  /**
   * MapProxy `CompactCacheBase.remove_level_tiles_before`: for 0 the level directory `L<zz>`
   * goes as a whole; bundles keep no times, so another limit removes nothing.
   */
  async removeLevelTilesBefore(z: number, limitSeconds: number): Promise<number | null> {
    if (limitSeconds !== 0) return 0;
    const directory = join(this.directory, `L${String(z).padStart(2, '0')}`);
    // counted before the directory goes, for the cleanup's "N removed" (MapProxy prints no count;
    // we printed 0); bundles that cannot be read are removed all the same
    const count = await countLevelTiles(directory, this.version).catch(() => null);
    try {
      await removeTree(directory);
    } catch (error) {
      throw new CacheError(`could not remove ${directory}`, 'CACHE_WRITE', { cause: error, path: directory });
    }
    return count;
  }

  /** Runs `fn` holding the writer lock of bundle `base` (its path without extension). */
  async withBundleLock<T>(base: string, fn: () => Promise<T>): Promise<T> {
    const path = `${base}.lock`;
    const name = basename(path);
    const release = await pollFor(
      () =>
        tryLockFile(path, {
          staleMs: this.#lockStaleMs,
          createParent: (dir) => ensureDirectory(dir, this.#dirMode),
        }),
      {
        timeoutMs: this.#lockTimeoutMs,
        // as the tile locks: the holder removes the lock when its tiles are in the bundle, so the
        // next writer goes on then, not up to a poll interval later (two cache objects writing 24
        // tiles into one bundle took ~2.2 s of 10-100 ms polls); polling stays for stale locks
        wakeOn: wakeOnEntry(dirname(path), (entry) => entry === name),
      },
    );
    if (release === null) {
      throw new CacheError(`another process is still writing ${base}.bundle`, 'CACHE_LOCK_TIMEOUT', { path });
    }
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  /** Creates a missing file atomically (under the bundle lock; an existing one is kept). */
  async #ensureFile(path: string, content: () => Buffer): Promise<void> {
    try {
      await stat(path);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      await writeFileAtomic(path, content(), { fileMode: this.#fileMode, dirMode: this.#dirMode });
    }
  }

  /** MapProxy `BundleV1.store_tiles`: append size + data, update the bundle header, then the index. */
  async #storeV1(base: string, column: number, row: number, tiles: readonly TileToStore[]): Promise<void> {
    await this.#ensureFile(`${base}.bundle`, () => emptyBundleV1(column, row));
    await this.#ensureFile(`${base}.bundlx`, emptyIndexV1);
    const bundle = await open(`${base}.bundle`, 'r+');
    const index = await open(`${base}.bundlx`, 'r+');
    try {
      const header = await readAt(bundle, 0, V1_BUNDLE_HEADER_SIZE);
      let maxSize = header.readUInt32LE(8);
      let tileCount4 = header.readBigUInt64LE(16);
      let bundleSize = header.readBigUInt64LE(24);
      let end = (await bundle.stat()).size;
      const entries: [number, number][] = [];
      const chunks: Buffer[] = [];
      const appendedAt = new Map<number, number>();
      for (const { coord, data } of tiles) {
        const position = v1IndexPosition(coord.x, coord.y);
        const previous = appendedAt.has(position)
          ? (appendedAt.get(position) ?? 0)
          : (await readAt(index, position, 5)).readUIntLE(0, 5);
        let isNew = true;
        if (appendedAt.has(position)) isNew = false;
        else if (previous !== 0) {
          const previousSize = await readAt(bundle, previous, 4);
          if (previousSize.length === 4 && previousSize.readUInt32LE(0) > 0) isNew = false;
        }
        const size = Buffer.alloc(4);
        size.writeUInt32LE(data.length, 0);
        chunks.push(size, data);
        entries.push([position, end]);
        appendedAt.set(position, end);
        end += 4 + data.length;
        maxSize = Math.max(maxSize, data.length);
        bundleSize += BigInt(data.length + 4);
        if (isNew) tileCount4 += 4n;
      }
      const appended = Buffer.concat(chunks);
      await bundle.write(appended, 0, appended.length, end - appended.length);
      header.writeUInt32LE(maxSize, 8);
      header.writeBigUInt64LE(tileCount4, 16);
      header.writeBigUInt64LE(bundleSize, 24);
      await bundle.write(header, 0, V1_BUNDLE_HEADER_SIZE, 0);
      for (const [position, offset] of entries) {
        const entry = Buffer.alloc(5);
        entry.writeUIntLE(offset, 0, 5);
        await index.write(entry, 0, 5, position);
      }
    } finally {
      await index.close();
      await bundle.close();
    }
  }

  /** MapProxy `BundleV2._store_tile`: append size + data, point the index at it, update the header. */
  async #storeV2(base: string, tiles: readonly TileToStore[]): Promise<void> {
    const file = `${base}.bundle`;
    await this.#ensureFile(file, emptyBundleV2);
    const bundle = await open(file, 'r+');
    try {
      const header = await readAt(bundle, 0, V2_HEADER_SIZE);
      let maxSize = header.readUInt32LE(8);
      let end = (await bundle.stat()).size;
      const entries: [number, bigint][] = [];
      const chunks: Buffer[] = [];
      for (const { coord, data } of tiles) {
        const size = Buffer.alloc(4);
        size.writeUInt32LE(data.length, 0);
        chunks.push(size, data);
        const offset = end + 4;
        entries.push([v2IndexPosition(coord.x, coord.y), BigInt(offset) + (BigInt(data.length) << 40n)]);
        end = offset + data.length;
        maxSize = Math.max(maxSize, data.length);
      }
      const appended = Buffer.concat(chunks);
      await bundle.write(appended, 0, appended.length, end - appended.length);
      for (const [position, value] of entries) {
        const entry = Buffer.alloc(8);
        entry.writeBigUInt64LE(value, 0);
        await bundle.write(entry, 0, 8, position);
      }
      header.writeUInt32LE(maxSize, 8);
      header.writeBigUInt64LE(BigInt(end), 24);
      await bundle.write(header.subarray(8, 32), 0, 24, 8);
    } finally {
      await bundle.close();
    }
  }
}

/** The tiles of one bundle with their place in it, and how much of the file they use. */
export interface BundleContents {
  /** `dx`, `dy` within the bundle's 128x128 tiles, in MapProxy's defrag order (row by row). */
  readonly tiles: readonly { readonly dx: number; readonly dy: number; readonly data: Buffer }[];
  /** Bytes the bundle needs: its tiles with their size fields, header and index (MapProxy `size()`). */
  readonly usedBytes: number;
  /** Bytes the `.bundle` file has. */
  readonly fileBytes: number;
}

/** Reads a whole bundle (`base` without extension) at once; null when it does not exist. */
export async function readBundle(base: string, version: CompactVersion): Promise<BundleContents | null> {
  let bundle: Buffer;
  let index: Buffer;
  try {
    bundle = await readFile(`${base}.bundle`);
    index = version === 1 ? await readFile(`${base}.bundlx`) : bundle;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
  const tiles: { dx: number; dy: number; data: Buffer }[] = [];
  let tileBytes = 0;
  for (let dy = 0; dy < GRID; dy++) {
    for (let dx = 0; dx < GRID; dx++) {
      let offset: number;
      let size: number;
      if (version === 1) {
        const position = v1IndexPosition(dx, dy);
        if (position + 5 > index.length) continue;
        offset = index.readUIntLE(position, 5);
        if (offset === 0 || offset + 4 > bundle.length) continue;
        size = bundle.readUInt32LE(offset);
        offset += 4;
      } else {
        const position = v2IndexPosition(dx, dy);
        if (position + 8 > index.length) continue;
        const value = index.readBigUInt64LE(position);
        size = Number(value >> 40n);
        offset = Number(value & OFFSET_MASK);
      }
      if (size === 0 || offset + size > bundle.length) continue;
      tiles.push({ dx, dy, data: bundle.subarray(offset, offset + size) });
      tileBytes += size + 4;
    }
  }
  const overhead = version === 1 ? V1_BUNDLE_HEADER_SIZE + TILES * 4 : V2_HEADER_SIZE + V2_INDEX_SIZE;
  return { tiles, usedBytes: tileBytes + overhead, fileBytes: bundle.length };
}
