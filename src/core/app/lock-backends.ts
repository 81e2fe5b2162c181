/**
 * The tile lock backend registry: `globals.cache.tile_lock_backend` → factory. `file` (default,
 * MapProxy's `tile_lock_dir` locks) or `redis` (mapproxy-ts's own leases, `tile_lock_redis`),
 * one Redis connection per built runtime.
 */
import {
  RedisConnection,
  RedisTileLocker,
  TileLocker,
  tileLockDirectory,
  type TileCache,
  type TileLockBackend,
} from '../cache/index.js';
import { configErrorAt, type CacheConfig, type ConfigError, type LoadedConfig } from '../config/index.js';
import { lockDirectoryMode, redisTls, redisTlsProblems } from './cache-backends.js';

/** What a lock factory gets for one cache/grid pair. */
export interface LockBackendContext {
  readonly loaded: LoadedConfig;
  readonly cache: CacheConfig;
  readonly store: TileCache;
}

interface LockBackend {
  readonly validate: (loaded: LoadedConfig) => readonly ConfigError[];
  readonly create: (context: LockBackendContext) => TileLockBackend;
}

const fileLocks: LockBackend = {
  validate: () => [],
  create: ({ loaded, cache, store }) => {
    const { globals } = loaded.config;
    return new TileLocker({
      lockDir: tileLockDirectory({
        tileLockDir: cache.cache.tile_lock_dir ?? globals.cache.tile_lock_dir,
        directory: cache.cache_dir,
        baseDir: globals.cache.base_dir,
      }),
      lockCacheId: store.lockCacheId,
      timeoutMs: globals.http.client_timeout * 1000,
      directoryPermissions: lockDirectoryMode(loaded),
    });
  },
};

const REDIS_PATH = ['globals', 'cache', 'tile_lock_redis'];

/** One connection per loaded config: every cache of a runtime shares it. */
const connections = new WeakMap<LoadedConfig, RedisConnection>();

const redisLocks: LockBackend = {
  validate: (loaded) => {
    const options = loaded.config.globals.cache.tile_lock_redis ?? {};
    const errors: ConfigError[] = [];
    const { port, db, lease_seconds: lease } = options;
    if (port !== undefined && (port < 1 || port > 65535))
      errors.push(configErrorAt(loaded, [...REDIS_PATH, 'port'], `port ${String(port)} is not 1-65535`));
    if (db !== undefined && db < 0)
      errors.push(configErrorAt(loaded, [...REDIS_PATH, 'db'], `db ${String(db)} is negative`));
    // renewals run every third of the lease: below 0.1 s they would flood Redis
    if (lease !== undefined && lease < 0.1)
      errors.push(
        configErrorAt(
          loaded,
          [...REDIS_PATH, 'lease_seconds'],
          `lease_seconds ${String(lease)} is below 0.1`,
        ),
      );
    if (options.username !== undefined && options.password === undefined)
      errors.push(configErrorAt(loaded, [...REDIS_PATH, 'username'], 'username needs a password'));
    for (const [key, message] of redisTlsProblems(options))
      errors.push(configErrorAt(loaded, [...REDIS_PATH, key], message));
    return errors;
  },
  create: ({ loaded, store }) => {
    const { globals } = loaded.config;
    const options = globals.cache.tile_lock_redis ?? {};
    let connection = connections.get(loaded);
    if (connection === undefined) {
      connection = new RedisConnection({
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 6379,
        db: options.db ?? 0,
        username: options.username,
        password: options.password,
        tls: redisTls(options),
      });
      connections.set(loaded, connection);
    }
    return new RedisTileLocker({
      connection,
      lockCacheId: store.lockCacheId,
      prefix: options.prefix,
      timeoutMs: globals.http.client_timeout * 1000,
      leaseMs: (options.lease_seconds ?? 10) * 1000,
    });
  },
};

const LOCK_BACKENDS: Readonly<Record<'file' | 'redis', LockBackend>> = { file: fileLocks, redis: redisLocks };

/** Closes the Redis lock connection of a built configuration, if it has one. */
export async function closeLockConnections(loaded: LoadedConfig): Promise<void> {
  const connection = connections.get(loaded);
  connections.delete(loaded);
  await connection?.close();
}

/** Problems of the `tile_lock_redis` options the schema cannot see; run by `check` and build. */
export function checkLockBackend(loaded: LoadedConfig): ConfigError[] {
  return [...LOCK_BACKENDS[loaded.config.globals.cache.tile_lock_backend ?? 'file'].validate(loaded)];
}

/** The meta-tile locks of one cache/grid pair, from `globals.cache.tile_lock_backend`. */
export function createTileLocks(context: LockBackendContext): TileLockBackend {
  return LOCK_BACKENDS[context.loaded.config.globals.cache.tile_lock_backend ?? 'file'].create(context);
}
