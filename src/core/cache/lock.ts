/**
 * Cross-process tile-creation locks, one per meta tile, in `tile_lock_dir` (MapProxy
 * `cache/base.py` `TileLocker`). The only importer of proper-lockfile.
 */
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import type { TileCoord } from '../grid/index.js';
import { ensureDirectory } from './atomic-write.js';
import { CacheError } from './errors.js';
import { getLogger } from '../util/index.js';

const log = getLogger('mapproxy.cache.lock');

export interface TileLockerOptions {
  /** `tile_lock_dir` (see `tileLockDirectory`). */
  readonly lockDir: string;
  /** The cache's `lockCacheId`, so caches sharing a lock dir do not block each other. */
  readonly lockCacheId: string;
  /** How long to wait for a lock held by someone else: `http.client_timeout`, default 60 s. */
  readonly timeoutMs?: number | undefined;
  /**
   * A lock whose holder stopped refreshing it for this long is taken over (crashed process).
   * Holders refresh every `lockStaleMs / 2`. Minimum 2000 (proper-lockfile), default 10000.
   */
  readonly lockStaleMs?: number | undefined;
  /** `directory_permissions` for a lock dir created here. */
  readonly directoryPermissions?: number | null | undefined;
  /** Called when a held lock was lost (its refresh failed or someone took it over). */
  readonly onCompromised?: ((error: Error) => void) | undefined;
}

/** A held lock; `release` never rejects. */
export interface TileLock {
  readonly path: string;
  release(): Promise<void>;
}

const FIRST_POLL_MS = 10; // MapProxy polls every 10 ms; we back off from there
const MAX_POLL_MS = 100;

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

export class TileLocker {
  readonly lockDir: string;
  readonly lockCacheId: string;
  readonly timeoutMs: number;
  readonly lockStaleMs: number;
  readonly #dirMode: number | null;
  readonly #onCompromised: (error: Error) => void;

  constructor(options: TileLockerOptions) {
    this.lockDir = options.lockDir;
    this.lockCacheId = options.lockCacheId;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.lockStaleMs = Math.max(options.lockStaleMs ?? 10_000, 2000);
    this.#dirMode = options.directoryPermissions ?? null;
    this.#onCompromised =
      options.onCompromised ??
      (() => {
        // proper-lockfile's default throws from a timer and would crash the process
      });
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
    // proper-lockfile locks `<target>` by creating the directory `lockfilePath`; the target itself
    // never exists, so everything stays inside lockDir
    const target = path.slice(0, -'.lck'.length);
    const options = {
      realpath: false,
      lockfilePath: path,
      stale: this.lockStaleMs,
      retries: 0,
      onCompromised: this.#onCompromised,
    };
    const deadline = Date.now() + this.timeoutMs;
    let pollMs = FIRST_POLL_MS;
    let dirAttempts = 0;
    for (;;) {
      try {
        const release = await lockfile.lock(target, options);
        return { path, release: () => release().catch(() => undefined) };
      } catch (error) {
        if (isErrno(error, 'ENOENT') && dirAttempts++ < 3) {
          await this.#ensureLockDir(path);
          continue;
        }
        if (!isErrno(error, 'ELOCKED')) {
          throw new CacheError(`could not lock ${path}`, 'CACHE_LOCK', { cause: error, path });
        }
        if (pollMs === FIRST_POLL_MS) log.debug(`waiting for tile lock ${path}`);
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new CacheError('another process is still running with our lock', 'CACHE_LOCK_TIMEOUT', {
            cause: error,
            path,
          });
        }
        await delay(Math.min(pollMs, left));
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      }
    }
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

  async #ensureLockDir(path: string): Promise<void> {
    try {
      await ensureDirectory(this.lockDir, this.#dirMode);
    } catch (error) {
      throw new CacheError(`could not create tile_lock_dir ${this.lockDir}`, 'CACHE_LOCK', {
        cause: error,
        path,
      });
    }
  }
}
