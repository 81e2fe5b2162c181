/**
 * Cross-process tile-creation locks, one per meta tile: the `TileLockBackend` seam, and its file
 * implementation in `tile_lock_dir` (MapProxy `cache/base.py` `TileLocker`) on util's proper-lockfile locks.
 */
import { basename, join } from 'node:path';
import type { TileCoord } from '../grid/index.js';
import { CacheError } from './errors.js';
import {
  ensureDirectory,
  getLogger,
  metrics,
  pollFor,
  tryLockFile,
  wakeOnEntry,
  withSystemReason,
  type FileLockRelease,
} from '../util/index.js';

const log = getLogger('mapproxy.cache.lock');

export interface TileLockerOptions {
  /** `tile_lock_dir` (see `tileLockDirectory`). */
  readonly lockDir: string;
  /** The cache's `lockCacheId`, so caches sharing a lock dir do not block each other. */
  readonly lockCacheId: string;
  /** How long to wait for a lock held by someone else: `http.client_timeout`, default 60 s. */
  readonly timeoutMs?: number | undefined;
  /**
   * A lock whose holder stopped refreshing it for this long is taken over (crashed process on
   * another host, or of an older version); one whose holder died on this host is taken over at once.
   * Holders refresh every `lockStaleMs / 2`. Minimum 2000 (proper-lockfile), default 10000.
   */
  readonly lockStaleMs?: number | undefined;
  /**
   * `[first, max]` ms between attempts when no change notice arrives (holders on other hosts,
   * crashed holders); default `[10, 100]`, doubling, and on up to 500 while the lock dir is
   * watched (a release on this host wakes the waiter at once).
   */
  readonly pollMs?: readonly [first: number, max: number] | undefined;
  /** `directory_permissions` for a lock dir created here. */
  readonly directoryPermissions?: number | null | undefined;
  /** Called when a held lock was lost (its refresh failed or someone took it over). */
  readonly onCompromised?: ((error: Error) => void) | undefined;
}

/** A held lock; `release` never rejects. */
export interface TileLock {
  /** The lock file, or the lock's key in its store. */
  readonly path: string;
  release(): Promise<void>;
}

/**
 * What the tile creator locks a meta tile with, across processes: file locks (`TileLocker`) or
 * Redis leases (`RedisTileLocker`), chosen by `globals.cache.tile_lock_backend`.
 */
export interface TileLockBackend {
  /**
   * Waits for the lock of `coord` (the main tile of a meta tile). Rejects with `CacheError`
   * `CACHE_LOCK_TIMEOUT` after the backend's timeout, `CACHE_LOCK` when locking is impossible.
   */
  acquire(coord: TileCoord): Promise<TileLock>;
}

export class TileLocker implements TileLockBackend {
  readonly lockDir: string;
  readonly lockCacheId: string;
  readonly timeoutMs: number;
  readonly lockStaleMs: number;
  readonly #dirMode: number | null;
  readonly #pollMs: readonly [number, number] | undefined;
  readonly #onCompromised: ((error: Error) => void) | undefined;

  constructor(options: TileLockerOptions) {
    this.lockDir = options.lockDir;
    this.lockCacheId = options.lockCacheId;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.lockStaleMs = Math.max(options.lockStaleMs ?? 10_000, 2000);
    this.#dirMode = options.directoryPermissions ?? null;
    this.#pollMs = options.pollMs;
    // undefined: tryLockFile ignores it (proper-lockfile's default would throw from a timer)
    this.#onCompromised = options.onCompromised;
  }

  /** `<lockDir>/<lockCacheId>-<x>-<y>-<z>.lck`, MapProxy's lock name (here a directory). */
  lockPath(coord: TileCoord): string {
    return join(this.lockDir, `${this.lockCacheId}-${coord.x}-${coord.y}-${coord.z}.lck`);
  }

  /**
   * Waits for the lock of `coord` (the main tile of a meta tile). Rejects with `CacheError`
   * `CACHE_LOCK_TIMEOUT` after `timeoutMs`, `CACHE_LOCK` when the lock dir is unusable.
   */
  async acquire(coord: TileCoord): Promise<TileLock> {
    const path = this.lockPath(coord);
    // an object, not a let: TypeScript does not see the callback set it
    const wait = { started: false };
    const start = performance.now();
    const name = basename(path);
    const release = await pollFor(
      async () => {
        const held = await this.#tryLock(path);
        if (held === null && !wait.started) {
          wait.started = true;
          log.debug(`waiting for tile lock ${path}`);
        }
        return held;
      },
      {
        timeoutMs: this.timeoutMs,
        pollMs: this.#pollMs,
        // the holder (often another serve worker) removes the lock when its tiles are stored: retry
        // then, not up to a poll interval later; polling stays for holders that die (stale locks)
        wakeOn: wakeOnEntry(this.lockDir, (entry) => entry === name),
      },
    );
    if (wait.started) {
      const waitedMs = performance.now() - start;
      metrics.lockWait(waitedMs);
      log.debug(
        `${release === null ? 'gave up waiting' : 'got tile lock'} ${path} after ${String(Math.round(waitedMs))} ms`,
      );
    }
    if (release === null) {
      throw new CacheError('another process is still running with our lock', 'CACHE_LOCK_TIMEOUT', { path });
    }
    return { path, release };
  }

  /** Runs `fn` while holding the lock of `coord`; the lock is released in `finally`. */
  async withLock<T>(coord: TileCoord, fn: () => Promise<T>): Promise<T> {
    const lock = await this.acquire(coord);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /** One attempt; null while another holder has it. */
  async #tryLock(path: string): Promise<FileLockRelease | null> {
    try {
      return await tryLockFile(path, {
        staleMs: this.lockStaleMs,
        onCompromised: this.#onCompromised,
        createParent: () => this.#ensureLockDir(path),
      });
    } catch (error) {
      if (error instanceof CacheError) throw error;
      throw new CacheError(withSystemReason(`could not lock ${path}`, error), 'CACHE_LOCK', {
        cause: error,
        path,
      });
    }
  }

  async #ensureLockDir(path: string): Promise<void> {
    try {
      await ensureDirectory(this.lockDir, this.#dirMode);
    } catch (error) {
      throw new CacheError(
        withSystemReason(`could not create tile_lock_dir ${this.lockDir}`, error),
        'CACHE_LOCK',
        {
          cause: error,
          path,
        },
      );
    }
  }
}
