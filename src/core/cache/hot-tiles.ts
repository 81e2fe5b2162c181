/**
 * The in-memory hot-tile cache (`globals.cache.hot_tiles`, mapproxy-ts's own): tiles read from a
 * cache backend kept with their validators, bounded in bytes per process, so a repeated hit costs
 * no file system call. An entry is trusted for `ttlMs`; after that the TileManager checks the
 * stored tile's timestamp once (one `lstat` for a file cache) and renews or drops it, so what
 * seeding or cleanup changed on disk is served at most `ttlMs` later.
 */
import type { TileResult } from './types.js';

export interface HotTilesOptions {
  /** Upper bound of the tile bytes held; 0 keeps nothing. */
  readonly maxBytes: number;
  /** Longest an entry is served without reading the backend again. */
  readonly ttlMs: number;
  /** Clock in ms (tests inject one). */
  readonly now?: (() => number) | undefined;
}

/** `data`'s bytes in a buffer of their own (Buffer.from would take a slice of the shared pool). */
function ownCopy(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}

interface Entry {
  readonly tile: TileResult;
  readonly expiresMs: number;
}

/** Least recently used tiles by key, within a byte budget and a TTL. */
export class HotTiles {
  readonly maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // a Map iterates in insertion order: a hit re-inserts, so the first key is the least recent
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: HotTilesOptions) {
    this.maxBytes = Math.max(0, options.maxBytes);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Bytes of tile data held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The tile under `key`, `isFresh` while it is younger than the TTL (an older one must be
   * checked against the backend before it is served); undefined when there is none.
   */
  lookup(key: string): { readonly tile: TileResult; readonly isFresh: boolean } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // re-inserted: the most recently used entry is the last to go
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { tile: entry.tile, isFresh: this.#now() < entry.expiresMs };
  }

  /** Trusts the entry under `key` for another TTL (its tile was found unchanged). */
  renew(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined)
      this.#entries.set(key, { tile: entry.tile, expiresMs: this.#now() + this.#ttlMs });
  }

  /**
   * Keeps `tile` under `key` (a tile larger than the whole budget is not kept). Bytes that are a
   * view into a larger buffer (a backend's read buffer) are copied, so the bound counts what is held.
   */
  set(key: string, tile: TileResult): void {
    this.delete(key);
    const size = tile.data.length;
    if (size > this.maxBytes) return;
    const kept = tile.data.buffer.byteLength === size ? tile : { ...tile, data: ownCopy(tile.data) };
    this.#entries.set(key, { tile: kept, expiresMs: this.#now() + this.#ttlMs });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.tile.data.length;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.tile.data.length;
  }
}
