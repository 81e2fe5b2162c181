/**
 * Meta-tile locks as Redis leases (`globals.cache.tile_lock_backend: redis`, mapproxy-ts's own;
 * MapProxy only has file locks): SET NX PX with a random token, renewed while the tile is created,
 * released by its holder only (compare-and-delete in Lua). A crashed holder's lease simply expires.
 */
import { randomBytes } from 'node:crypto';
import type { TileCoord } from '../grid/index.js';
import { getLogger, metrics, pollFor } from '../util/index.js';
import { CacheError } from './errors.js';
import type { TileLock, TileLockBackend } from './lock.js';
import { errorText, type RedisConnection } from './redis-connection.js';

const log = getLogger('mapproxy.cache.lock');

/** Extends the lease only while the key still holds our token. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the key only while it still holds our token: a lease taken over is never freed by us. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisTileLockerOptions {
  readonly connection: RedisConnection;
  /** The cache's `lockCacheId`, so caches do not block each other. */
  readonly lockCacheId: string;
  /** Key prefix of the leases; default `mapproxy-ts-tile-lock`. */
  readonly prefix?: string | undefined;
  /** How long to wait for a lease held by someone else: `http.client_timeout`, default 60 s. */
  readonly timeoutMs?: number | undefined;
  /** Lease length; the holder renews it every third of it. Default 10000, minimum 100. */
  readonly leaseMs?: number | undefined;
  /** Called when a held lease was lost (it expired and someone else took it). */
  readonly onCompromised?: ((error: Error) => void) | undefined;
}

export class RedisTileLocker implements TileLockBackend {
  readonly lockCacheId: string;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly leaseMs: number;
  readonly #connection: RedisConnection;
  readonly #onCompromised: ((error: Error) => void) | undefined;

  constructor(options: RedisTileLockerOptions) {
    this.#connection = options.connection;
    this.lockCacheId = options.lockCacheId;
    this.prefix = options.prefix ?? 'mapproxy-ts-tile-lock';
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.leaseMs = Math.max(Math.round(options.leaseMs ?? 10_000), 100);
    this.#onCompromised = options.onCompromised;
  }

  /** `<prefix>:<lockCacheId>-<x>-<y>-<z>`, the file locker's name as a key. */
  lockKey(coord: TileCoord): string {
    return `${this.prefix}:${this.lockCacheId}-${String(coord.x)}-${String(coord.y)}-${String(coord.z)}`;
  }

  /**
   * Waits for the lease of `coord`. Rejects with `CacheError` `CACHE_LOCK_TIMEOUT` after
   * `timeoutMs`. While Redis is unreachable the tile is created unlocked (with a warning): the
   * lock only saves upstream requests, and a missing one must not fail the request.
   */
  async acquire(coord: TileCoord): Promise<TileLock> {
    const key = this.lockKey(coord);
    const token = randomBytes(16).toString('hex');
    const wait = { started: false };
    const start = performance.now();
    let held: true | null;
    try {
      held = await pollFor(
        async () => {
          const answer = await this.#connection.run((client) =>
            client.set(key, token, 'PX', this.leaseMs, 'NX'),
          );
          if (answer === 'OK') return true;
          if (!wait.started) {
            wait.started = true;
            log.debug(`waiting for tile lock ${key}`);
          }
          return null;
        },
        { timeoutMs: this.timeoutMs },
      );
    } catch (error) {
      log.warn(`could not take tile lock ${key}, creating the tile unlocked: ${errorText(error)}`);
      return { path: key, release: () => Promise.resolve() };
    }
    if (wait.started) {
      const waitedMs = performance.now() - start;
      metrics.lockWait(waitedMs);
      log.debug(
        `${held === null ? 'gave up waiting' : 'got tile lock'} ${key} after ${String(Math.round(waitedMs))} ms`,
      );
    }
    if (held === null) {
      throw new CacheError('another process is still running with our lock', 'CACHE_LOCK_TIMEOUT', {
        path: key,
      });
    }
    return this.#lease(key, token);
  }

  /** The held lease: renewed every third of its length until released or lost. */
  #lease(key: string, token: string): TileLock {
    const state = { released: false, renewing: Promise.resolve() };
    const renew = async (): Promise<void> => {
      try {
        const extended = await this.#connection.run((client) =>
          client.eval(RENEW, 1, key, token, this.leaseMs),
        );
        if (extended === 0 && !state.released) {
          clearInterval(timer);
          const error = new CacheError(`tile lock ${key} expired and was taken over`, 'CACHE_LOCK', {
            path: key,
          });
          log.warn(error.message);
          this.#onCompromised?.(error);
        }
      } catch (error) {
        // Redis away for a moment: the lease may still outlive it; the next renewal tries again
        log.warn(`could not renew tile lock ${key}: ${errorText(error)}`);
      }
    };
    const timer = setInterval(
      () => {
        state.renewing = state.renewing.then(renew);
      },
      Math.floor(this.leaseMs / 3),
    );
    // a lease never keeps the process alive by itself
    timer.unref();
    return {
      path: key,
      release: async () => {
        if (state.released) return;
        state.released = true;
        clearInterval(timer);
        await state.renewing;
        try {
          await this.#connection.run((client) => client.eval(RELEASE, 1, key, token));
        } catch (error) {
          // the lease expires on its own
          log.warn(`could not release tile lock ${key}: ${errorText(error)}`);
        }
      },
    };
  }
}
