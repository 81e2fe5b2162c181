/**
 * The `redis` cache (MapProxy 1.15 `cache/redis.py`): one string key per tile,
 * `<prefix>-<z>-<x>-<y>`, holding the encoded bytes, with an optional expiry. Keeps no timestamps.
 * An unreachable Redis reads as a miss and fails writes (which the creator logs): tiles come from
 * the sources and are served unstored, as STYLE 5 asks of a failing cache.
 */
import { createHash } from 'node:crypto';
import type { TileCoord } from '../grid/index.js';
import { getLogger } from '../util/index.js';
import { CacheError } from './errors.js';
import { errorText, RedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { ReadFallback } from './read-fallback.js';
import type { CachedTile, TileCache, TileToStore } from './types.js';

const log = getLogger('mapproxy.cache.redis');

export interface RedisCacheOptions extends RedisConnectionOptions {
  /** Key prefix; MapProxy's default is `<cache name>_<grid name>`. */
  readonly prefix: string;
  /** Expiry of stored tiles in seconds; 0: never (MapProxy `default_ttl`, default 3600). */
  readonly ttlSeconds: number;
  /** `on_unavailable: fail`: while Redis cannot be read, requests fail instead of reading a miss. */
  readonly failReads?: boolean | undefined;
  /** An existing connection to share (tests); default a new one from the options. */
  readonly connection?: RedisConnection | undefined;
}

/** MapProxy `RedisCache._key`: `prefix + '-%d-%d-%d' % (z, x, y)`, internal grid coords. */
export function redisTileKey(prefix: string, coord: TileCoord): string {
  return `${prefix}-${String(coord.z)}-${String(coord.x)}-${String(coord.y)}`;
}

/** MapProxy's `lock_cache_id`: `'redis-' + md5(host + str(port) + prefix + str(db))`. */
export function redisLockCacheId(host: string, port: number, prefix: string, db: number): string {
  return `redis-${createHash('md5')
    .update(`${host}${String(port)}${prefix}${String(db)}`)
    .digest('hex')}`;
}

export class RedisCache implements TileCache {
  readonly lockCacheId: string;
  readonly supportsTimestamps = false;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly prefix: string;
  readonly #ttlMs: number;
  readonly #connection: RedisConnection;
  readonly #fallback: ReadFallback;

  constructor(options: RedisCacheOptions) {
    this.prefix = options.prefix;
    this.#ttlMs = Math.round(options.ttlSeconds * 1000);
    this.#connection = options.connection ?? new RedisConnection(options);
    this.lockCacheId = redisLockCacheId(options.host, options.port, options.prefix, options.db ?? 0);
    // MapProxy would fail the request; a miss serves the tile from the sources instead
    this.#fallback = new ReadFallback({
      log,
      label: `redis cache ${options.prefix}`,
      describe: errorText,
      backAgain: `${this.#connection.address} is reachable again`,
      failReads: options.failReads,
    });
  }

  /** Dimensions are ignored, as MapProxy's redis cache does. */
  async loadTile(coord: TileCoord): Promise<CachedTile | null> {
    const [tile] = await this.loadTiles([coord]);
    return tile ?? null;
  }

  async loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    if (coords.length === 0) return [];
    const keys = coords.map((c) => redisTileKey(this.prefix, c));
    const values = await this.#fallback.read(() => this.#connection.run((client) => client.mgetBuffer(keys)));
    return coords.map((coord, i) => {
      const data = values?.[i] ?? null;
      // MapProxy `load_tile`: `if tile_data:` — an empty value is a miss
      if (data === null || data.length === 0) return null;
      return { coord, data, timestampMs: null, sizeBytes: data.length };
    });
  }

  async tileTimestamp(coord: TileCoord): Promise<number | null> {
    // no times in Redis; 0 keeps "stored" apart from null, as the MBTiles cache does
    return (await this.isCached(coord)) ? 0 : null;
  }

  async isCached(coord: TileCoord): Promise<boolean> {
    const key = redisTileKey(this.prefix, coord);
    const found = await this.#fallback.read(() => this.#connection.run((client) => client.exists(key)));
    return found !== null && found > 0;
  }

  async storeTiles(tiles: readonly TileToStore[]): Promise<void> {
    if (tiles.length === 0) return;
    try {
      await this.#connection.run(async (client) => {
        const batch = client.multi();
        for (const { coord, data } of tiles) {
          const key = redisTileKey(this.prefix, coord);
          // MapProxy: SET, then PEXPIRE ttl*1000 when a ttl is set; one MULTI here
          if (this.#ttlMs > 0) batch.set(key, data, 'PX', this.#ttlMs);
          else batch.set(key, data);
        }
        const results = await batch.exec();
        const failed = results?.find(([error]) => error !== null);
        if (results === null || failed !== undefined) throw failed?.[0] ?? new Error('transaction aborted');
      });
      this.#fallback.up();
    } catch (error) {
      throw new CacheError(
        `could not store ${String(tiles.length)} tile(s) in ${this.#connection.address}: ${errorText(error)}`,
        'CACHE_WRITE',
        { cause: error },
      );
    }
  }

  async removeTile(coord: TileCoord): Promise<void> {
    const key = redisTileKey(this.prefix, coord);
    try {
      await this.#connection.run((client) => client.del(key));
    } catch (error) {
      throw new CacheError(`could not remove ${key} from ${this.#connection.address}`, 'CACHE_WRITE', {
        cause: error,
      });
    }
  }

  /** Closes the connection (it reopens on the next use). */
  async close(): Promise<void> {
    await this.#connection.close();
  }
}
