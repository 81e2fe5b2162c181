/**
 * The in-memory hot-tile cache (`globals.cache.hot_tiles`, mapproxy-ts's own): tiles read from a
 * cache backend kept with their validators, bounded in bytes per process, so a repeated hit costs
 * no file system call. An entry is trusted for `ttlMs`; after that the TileManager checks the
 * stored tile's timestamp once (one `lstat` for a file cache) and renews or drops it, so what
 * seeding or cleanup changed on disk is served at most `ttlMs` later. An entry used in the last
 * quarter of its TTL is checked in the background (when it was kept with a `recheck`), so a tile in
 * steady use never waits for that check on the request path. Those checks go out together, a few
 * times a TTL, rather than one by one as entries come due.
 */
import type { Freshness } from '../util/index.js';
import type { TileResult } from './types.js';

export interface HotTilesOptions {
  /** Upper bound of the tile bytes held; 0 keeps nothing. */
  readonly maxBytes: number;
  /** Longest an entry is served without reading the backend again. */
  readonly ttlMs: number;
  /** Clock in ms (tests inject one). */
  readonly now?: (() => number) | undefined;
  /**
   * Runs `startWaiting` (which starts the rechecks that came due) a little later, so that rechecks
   * go out together. Default: after `min(RECHECK_WAVE_MS, ttlMs / 8)`, on a timer that does not
   * keep the process alive. Tests inject their own.
   */
  readonly scheduleRechecks?: ((startWaiting: () => void) => void) | undefined;
}

/**
 * Longest a due recheck waits for others. Each `lstat` on its own is a round trip through libuv's
 * thread pool: a thread woken, the event loop woken. Under cached tile hits over a few hundred hot
 * tiles, one check per tile and TTL was about 3% of the requests' count and 5-20% of their CPU
 * (serve -w 2, wrk, 341 tiles: 0.040-0.050 ms a hit against 0.037-0.040 without checks); issued
 * together, the checks share the wake-ups (issue 13). `lstatSync` in the wave instead (1.7-3 us
 * of CPU a check in isolation against 9-11 us) gave no gain beyond noise under wrk (~400 checks
 * a second a worker; paired, 10 rounds: x0.97, 0.84-1.59), and would stall the loop on a slow disk.
 */
export const RECHECK_WAVE_MS = 100;

/**
 * `data`'s bytes in a buffer of their own (Buffer.from would take a slice of the shared pool).
 * Tried (issue 13): every kept tile copied into a SharedArrayBuffer, so a WMS map's tiles reach the
 * resampling thread as references, not structured-clone copies (~0.6 MB a 512x512 map there): no
 * lower peak RSS per worker (serve -w 2, 4 alternating pairs, medians of 8 workers: tms-hit 118.2 ->
 * 121.1, wms-3857 142.4 -> 143.9, wms-4326 156.9 -> 152.2 MB); the thread's young collections free
 * those copies every ~7 maps anyway.
 */
function ownCopy(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}

/** Whether the stored tile is still the one kept (e.g. its timestamp is unchanged). */
export type HotRecheck = () => Promise<boolean>;

/**
 * One kept tile. It is also the `Freshness` of the responses built from it: they stay right while
 * it is still the entry under its key (not replaced, dropped or cleared) and young. A renewal
 * keeps the entry (its tile was found unchanged, so responses built from it are still right).
 */
class HotEntry implements Freshness {
  readonly #owner: HotTiles;
  readonly key: string;
  readonly tile: TileResult;
  readonly recheck: HotRecheck | undefined;
  expiresMs: number;
  /** A background recheck is running: one at a time. */
  rechecking = false;

  constructor(
    owner: HotTiles,
    key: string,
    tile: TileResult,
    expiresMs: number,
    recheck: HotRecheck | undefined,
  ) {
    this.#owner = owner;
    this.key = key;
    this.tile = tile;
    this.expiresMs = expiresMs;
    this.recheck = recheck;
  }

  /** Also marks the entry as recently used: a response served from it is a use of the tile. */
  isFresh(): boolean {
    return this.#owner.reuse(this);
  }

  /** Dropped or replaced: no longer the entry under its key (a renewal keeps it). */
  isGone(): boolean {
    return !this.#owner.holds(this);
  }
}

/** Least recently used tiles by key, within a byte budget and a TTL. */
export class HotTiles {
  readonly maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // a Map iterates in insertion order: a hit re-inserts, so the first key is the least recent
  readonly #entries = new Map<string, HotEntry>();
  #bytes = 0;
  /** Entries whose recheck is due and not started yet; a wave is scheduled while any wait. */
  #dueRechecks: HotEntry[] = [];
  readonly #scheduleRechecks: (startWaiting: () => void) => void;

  constructor(options: HotTilesOptions) {
    this.maxBytes = Math.max(0, options.maxBytes);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    const waveMs = Math.min(RECHECK_WAVE_MS, options.ttlMs / 8);
    this.#scheduleRechecks =
      options.scheduleRechecks ??
      ((startWaiting) => {
        setTimeout(startWaiting, waveMs).unref();
      });
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
   * checked against the backend before it is served); undefined when there is none. `freshness`
   * tells later whether the entry still stands as it is now.
   */
  lookup(
    key: string,
  ): { readonly tile: TileResult; readonly isFresh: boolean; readonly freshness: Freshness } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#touch(entry);
    const now = this.#now();
    const isFresh = now < entry.expiresMs;
    if (isFresh) this.#recheckIfOld(entry, now);
    return { tile: entry.tile, isFresh, freshness: entry };
  }

  /**
   * Trusts the entry under `key` for another TTL (its tile was found unchanged). Returns its
   * freshness: responses built from it stay right, since the tile is the same.
   */
  renew(key: string): Freshness | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.expiresMs = this.#now() + this.#ttlMs;
    return entry;
  }

  /** Whether `entry` is still the one under its key (young or not); changes nothing. */
  holds(entry: HotEntry): boolean {
    return this.#entries.get(entry.key) === entry;
  }

  /** Whether `entry` is still the one under its key and young; if so it becomes the most recent. */
  reuse(entry: HotEntry): boolean {
    if (this.#entries.get(entry.key) !== entry) return false;
    const now = this.#now();
    if (now >= entry.expiresMs) return false;
    this.#recheckIfOld(entry, now);
    this.#touch(entry);
    return true;
  }

  /**
   * Keeps `tile` under `key` (a tile larger than the whole budget is not kept). Bytes that are a
   * view into a larger buffer (a backend's read buffer) are copied, so the bound counts what is held.
   */
  set(key: string, tile: TileResult, recheck?: HotRecheck): void {
    this.delete(key);
    const size = tile.data.length;
    if (size > this.maxBytes) return;
    const kept = tile.data.buffer.byteLength === size ? tile : { ...tile, data: ownCopy(tile.data) };
    this.#entries.set(key, new HotEntry(this, key, kept, this.#now() + this.#ttlMs, recheck));
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

  /** Forgets every tile (the configuration was replaced or closed). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /**
   * Queues `entry`'s background recheck once it is in the last quarter of its TTL (see
   * `#startDueRechecks`): a tile in steady use is then checked about every 0.8 TTL; from half its
   * TTL on, as before, it was checked twice a TTL, for the same promise (served at most a TTL late).
   */
  #recheckIfOld(entry: HotEntry, now: number): void {
    if (entry.recheck === undefined || entry.rechecking || entry.expiresMs - now > this.#ttlMs / 4) return;
    entry.rechecking = true;
    this.#dueRechecks.push(entry);
    if (this.#dueRechecks.length === 1) {
      this.#scheduleRechecks(() => {
        this.#startDueRechecks();
      });
    }
  }

  /**
   * Starts the queued rechecks together. An unchanged tile is trusted for a TTL from when its check
   * started (what changed after that is seen by the next check); a changed or unreadable one goes,
   * and the next use reads the backend. An entry replaced or dropped meanwhile is not checked.
   */
  #startDueRechecks(): void {
    const due = this.#dueRechecks;
    this.#dueRechecks = [];
    const started = this.#now();
    for (const entry of due) {
      const settle = (unchanged: boolean): void => {
        entry.rechecking = false;
        if (this.#entries.get(entry.key) !== entry) return;
        if (unchanged) entry.expiresMs = Math.max(entry.expiresMs, started + this.#ttlMs);
        else this.delete(entry.key);
      };
      if (this.#entries.get(entry.key) !== entry || entry.recheck === undefined) entry.rechecking = false;
      else
        entry.recheck().then(settle, () => {
          settle(false);
        });
    }
  }

  #touch(entry: HotEntry): void {
    this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
  }
}
