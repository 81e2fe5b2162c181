/**
 * The cache backend registry: `caches.<name>.cache.type` → factory (MapProxy's `_<type>_cache`
 * methods in config/loader.py). `check` runs every backend's `validate`, so a type we do not
 * implement or a combination MapProxy refuses fails there, at its key, and never later in `serve`.
 */
import { join } from 'node:path';
import {
  CompactCache,
  FileCache,
  fileCacheDirectory,
  formatExtension,
  GeopackageCache,
  isDirectoryLayout,
  isValidTableName,
  LevelCache,
  lockCacheId,
  MBTilesCache,
  RedisCache,
  S3Cache,
  type RedisTlsOptions,
  type TileCache,
} from '../cache/index.js';
import {
  ConfigError,
  configErrorAt,
  type CacheConfig,
  type ConfigPath,
  type LoadedConfig,
} from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import type { Size } from '../util/index.js';
import { ImageError, resolveImageOptions } from '../image/index.js';
import { cacheFormat } from './image-options.js';

/** What a backend factory gets for one cache/grid pair. */
export interface CacheBackendContext {
  readonly loaded: LoadedConfig;
  readonly name: string;
  readonly cache: CacheConfig;
  readonly gridName: string;
  readonly grid: TileGrid;
}

/** What a backend's option check gets: the config only, no files are touched. */
export type CacheCheckContext = Omit<CacheBackendContext, 'grid'>;

export interface CacheBackend {
  /** Problems the schema cannot see, positioned at the cache's keys; run by `check` and build. */
  readonly validate?: (context: CacheCheckContext) => readonly ConfigError[];
  /** The storage of one cache/grid pair. Opens nothing yet: files are created on first write. */
  readonly create: (context: CacheBackendContext) => TileCache;
}

const backendPath = (name: string, key?: string): ConfigPath =>
  key === undefined ? ['caches', name, 'cache'] : ['caches', name, 'cache', key];

/** MapProxy: "using single directory for cache with multiple grids in <name>". */
function singleDirectoryCheck({ loaded, name, cache }: CacheCheckContext): ConfigError[] {
  if (cache.cache.directory === undefined || cache.grids.length <= 1) return [];
  return [
    configErrorAt(
      loaded,
      backendPath(name, 'directory'),
      `using single directory for cache with multiple grids in ${name}`,
    ),
  ];
}

function sqliteTimeoutMs({ loaded, cache }: CacheCheckContext): number {
  const seconds = cache.cache.sqlite_timeout;
  return (typeof seconds === 'number' ? seconds : loaded.config.globals.cache.sqlite_timeout) * 1000;
}

/**
 * The cache's `sqlite_wal`, else `globals.cache.sqlite_wal` (MapProxy `get_value('cache.sqlite_wal',
 * conf)` reads both; its spec warns about the global key as unknown but it counts; ours knows it).
 */
function sqliteWal({ loaded, cache }: CacheCheckContext): boolean {
  // WAL unless switched off: readers never wait for a seeding process (MapProxy's default is off)
  return (cache.cache.sqlite_wal ?? loaded.config.globals.cache.sqlite_wal) !== false;
}

/** `directory_permissions` and `file_permissions` as mode bits, null where not set. */
interface Permissions {
  readonly dirMode: number | null;
  readonly fileMode: number | null;
}

const PERMISSION_KEYS = ['directory_permissions', 'file_permissions'] as const;

/**
 * MapProxy >= 3.1 `directory_permissions`/`file_permissions` of a cache: its own `cache.<key>`,
 * else `globals.cache.<key>`, with the key that set it; undefined when neither is set.
 */
function permissionSetting(
  { loaded, name, cache }: CacheCheckContext,
  key: (typeof PERMISSION_KEYS)[number],
): { value: unknown; path: ConfigPath } | undefined {
  const own = cache.cache[key];
  if (own !== undefined) return { value: own, path: backendPath(name, key) };
  const global = loaded.config.globals.cache[key];
  return global === undefined ? undefined : { value: global, path: ['globals', 'cache', key] };
}

/** An octal permission string (`'764'`, `'0775'`) as mode bits; null when it is none (MapProxy: `int(value, 8)`). */
function parseMode(value: unknown): number | null {
  return typeof value === 'string' && /^0?[0-7]{3}$/.test(value) ? Number.parseInt(value, 8) : null;
}

function permissionProblems(context: CacheCheckContext): ConfigError[] {
  return PERMISSION_KEYS.flatMap((key) => {
    const setting = permissionSetting(context, key);
    if (setting === undefined || parseMode(setting.value) !== null) return [];
    return [
      configErrorAt(
        context.loaded,
        setting.path,
        `${key} ${JSON.stringify(setting.value)} is no octal permission such as '755' or '644'`,
      ),
    ];
  });
}

/** MapProxy's tile locks take `globals.cache.directory_permissions` only (not a cache's own). */
export function lockDirectoryMode(loaded: LoadedConfig): number | null {
  return parseMode(loaded.config.globals.cache.directory_permissions);
}

/** The cache's permissions for the directories and files it creates (umask-independent). */
function cachePermissions(context: CacheCheckContext): Permissions {
  const mode = (key: (typeof PERMISSION_KEYS)[number]): number | null =>
    parseMode(permissionSetting(context, key)?.value);
  return { dirMode: mode('directory_permissions'), fileMode: mode('file_permissions') };
}

/** `filename`, or `<cache name>.<ext>` in the cache directory (normalize resolved a given one). */
function cacheFile({ name, cache }: CacheCheckContext, extension: string): string {
  return cache.cache.filename ?? join(cache.cache.directory ?? cache.cache_dir, `${name}.${extension}`);
}

/** `<directory>/<grid>` or `<cache_dir>/<cache name>/<grid>` (MapProxy `_sqlite_cache`). */
function levelDirectory({ name, cache, gridName }: CacheCheckContext): string {
  const { directory } = cache.cache;
  return directory === undefined ? join(cache.cache_dir, name, gridName) : join(directory, gridName);
}

function geopackageTable({ name, cache, gridName }: CacheCheckContext): string {
  const table = cache.cache.table_name;
  return typeof table === 'string' && table !== '' ? table : `${name}_${gridName}`;
}

/**
 * The format a cache stores, as MapProxy names its files (`image_opts.format.ext`): a named
 * `globals.image.formats` entry (`png32`) resolves to its `format` (`image/png`), `mixed` stays.
 */
function storedFormat(loaded: LoadedConfig, cache: CacheConfig): string {
  try {
    const { image } = loaded.config.globals;
    return resolveImageOptions({ format: cacheFormat(cache, image.formats), image: cache.image }, image)
      .format;
  } catch (error) {
    // an invalid image section is reported where the caches' image options are built
    if (error instanceof ImageError) return cache.format;
    throw error;
  }
}

/** The MBTiles `format` metadata value of a cache format, null when MBTiles has none. */
function mbtilesFormat(format: string): string | null {
  const extension = formatExtension(format);
  if (extension === 'jpeg') return 'jpg';
  return extension === 'png' || extension === 'webp' ? extension : null;
}

const fileBackend: CacheBackend = {
  validate: (context) => {
    const layout = context.cache.cache.directory_layout ?? 'tc';
    if (!isDirectoryLayout(layout)) {
      return [
        configErrorAt(
          context.loaded,
          backendPath(context.name, 'directory_layout'),
          `unknown directory_layout "${layout}"`,
        ),
      ];
    }
    return [...singleDirectoryCheck(context), ...permissionProblems(context)];
  },
  create: ({ loaded, name, cache, gridName, grid }) => {
    const backend = cache.cache;
    const { dirMode, fileMode } = cachePermissions({ loaded, name, cache, gridName });
    const layout = backend.directory_layout ?? 'tc';
    if (!isDirectoryLayout(layout)) throw new Error(`directory_layout ${layout} passed validation`);
    return new FileCache({
      directory: fileCacheDirectory({
        cacheName: name,
        baseDir: cache.cache_dir,
        directory: backend.directory,
        useGridNames: backend.use_grid_names,
        gridName,
        gridSrs: grid.srs.code,
      }),
      extension: formatExtension(storedFormat(loaded, cache)),
      layout,
      linkSingleColorImages: linkMode(cache.link_single_color_images),
      directoryPermissions: dirMode,
      filePermissions: fileMode,
      // a temp file older than the tile lock timeout (MapProxy: http.client_timeout) is a leftover
      staleTempMs: loaded.config.globals.http.client_timeout * 1000,
    });
  },
};

const mbtilesBackend: CacheBackend = {
  validate: permissionProblems,
  create: (context) =>
    new MBTilesCache({
      file: cacheFile(context, 'mbtiles'),
      timeoutMs: sqliteTimeoutMs(context),
      wal: sqliteWal(context),
      ...cachePermissions(context),
      metadata: { name: context.name, format: mbtilesFormat(storedFormat(context.loaded, context.cache)) },
    }),
};

const sqliteBackend: CacheBackend = {
  validate: permissionProblems,
  create: (context) => {
    const directory = levelDirectory(context);
    const timeoutMs = sqliteTimeoutMs(context);
    const wal = sqliteWal(context);
    const modes = cachePermissions(context);
    return new LevelCache({
      lockCacheId: `sqlite-${lockCacheId(directory)}`,
      supportsTimestamps: true,
      level: (z) =>
        new MBTilesCache({
          file: join(directory, `${z}.mbtile`),
          withTimestamps: true,
          timeoutMs,
          wal,
          ...modes,
        }),
    });
  },
};

const geopackageBackend: CacheBackend = {
  validate: (context) => {
    const table = geopackageTable(context);
    if (isValidTableName(table)) return permissionProblems(context);
    const given = typeof context.cache.cache.table_name === 'string';
    return [
      configErrorAt(
        context.loaded,
        given ? backendPath(context.name, 'table_name') : backendPath(context.name),
        `the table_name ${table} contains unsupported characters (letters, digits, "_" and "-" only)` +
          (given ? '' : '; set cache.table_name'),
      ),
      ...permissionProblems(context),
    ];
  },
  create: (context) => {
    const tableName = geopackageTable(context);
    const timeoutMs = sqliteTimeoutMs(context);
    const wal = sqliteWal(context);
    const modes = cachePermissions(context);
    const { grid } = context;
    if (context.cache.cache.levels === true) {
      // MapProxy `_geopackage_cache` with `levels`: `<directory or cache_dir/name>/<grid>/<z>.gpkg`
      const directory = levelDirectory(context);
      return new LevelCache({
        lockCacheId: `gpkg-${lockCacheId(directory)}`,
        supportsTimestamps: false,
        level: (z) =>
          new GeopackageCache({
            file: join(directory, `${z}.gpkg`),
            tableName,
            grid,
            timeoutMs,
            wal,
            ...modes,
          }),
      });
    }
    return new GeopackageCache({
      file: cacheFile(context, 'gpkg'),
      tableName,
      grid,
      timeoutMs,
      wal,
      ...modes,
    });
  },
};

/** MapProxy `_redis_cache`: `prefix` defaults to `<cache name>_<grid name>`. */
function redisPrefix({ name, cache, gridName }: CacheCheckContext): string {
  const { prefix } = cache.cache;
  return typeof prefix === 'string' && prefix !== '' ? prefix : `${name}_${gridName}`;
}

const redisBackend: CacheBackend = {
  validate: ({ loaded, name, cache }) => {
    const backend = cache.cache;
    const errors: ConfigError[] = [];
    const refuse = (key: string, message: string): void => {
      errors.push(configErrorAt(loaded, backendPath(name, key), message));
    };
    // the spec checks the types; these are the ranges Redis itself would refuse at connect time
    const { port, db, default_ttl: ttl, host } = backend;
    if (typeof port === 'number' && (port < 1 || port > 65535))
      refuse('port', `port ${String(port)} is not 1-65535`);
    if (typeof db === 'number' && db < 0) refuse('db', `db ${String(db)} is negative`);
    if (typeof ttl === 'number' && ttl < 0) refuse('default_ttl', `default_ttl ${String(ttl)} is negative`);
    if (host === '') refuse('host', 'host is empty');
    if (backend.password === undefined && backend.username !== undefined)
      refuse('username', 'username needs a password');
    for (const [key, message] of redisTlsProblems(backend)) refuse(key, message);
    return errors;
  },
  create: (context) => {
    const backend = context.cache.cache;
    const num = (key: string, fallback: number): number => {
      const value = backend[key];
      return typeof value === 'number' ? value : fallback;
    };
    const text = (key: string): string | undefined => {
      const value = backend[key];
      return typeof value === 'string' ? value : undefined;
    };
    return new RedisCache({
      tls: redisTls(backend),
      host: text('host') ?? '127.0.0.1',
      port: num('port', 6379),
      db: num('db', 0),
      username: text('username'),
      password: text('password'),
      prefix: redisPrefix(context),
      // MapProxy's default_ttl default: 3600 s; 0 keeps tiles forever
      ttlSeconds: num('default_ttl', 3600),
      failReads: backend.on_unavailable === 'fail',
    });
  },
};

/** `[key, message]` for each TLS option of a Redis connection (a redis cache, `tile_lock_redis`) that cannot work. */
export function redisTlsProblems(options: Readonly<Record<string, unknown>>): [string, string][] {
  const problems: [string, string][] = [];
  if (options.ssl_keyfile !== undefined && options.ssl_certfile === undefined)
    problems.push(['ssl_keyfile', 'ssl_keyfile needs ssl_certfile (the client certificate)']);
  if (options.ssl === false) {
    for (const key of ['ssl_certfile', 'ssl_keyfile', 'ssl_ca_certs', 'ssl_no_cert_checks']) {
      if (options[key] !== undefined) problems.push([key, `${key} is set but ssl is false`]);
    }
  }
  return problems;
}

/**
 * TLS to Redis (mapproxy-ts's own, for a redis cache and `tile_lock_redis`): on with `ssl: true`
 * or any `ssl_*` file, whose paths the config loader made absolute; `ssl_no_cert_checks` as for `http`.
 */
export function redisTls(backend: Readonly<Record<string, unknown>>): RedisTlsOptions | undefined {
  const file = (key: string): string | undefined => {
    const value = backend[key];
    return typeof value === 'string' ? value : undefined;
  };
  const caFile = file('ssl_ca_certs');
  const certFile = file('ssl_certfile');
  const keyFile = file('ssl_keyfile');
  const isOn =
    backend.ssl === true || (backend.ssl !== false && (caFile ?? certFile ?? keyFile) !== undefined);
  if (!isOn) return undefined;
  return { caFile, certFile, keyFile, noCertChecks: backend.ssl_no_cert_checks === true };
}

/** MapProxy `_compact_cache`: `directory` as it is, else `<cache_dir>/<cache name>/<grid>`. */
const compactBackend: CacheBackend = {
  validate: (context) => [...singleDirectoryCheck(context), ...permissionProblems(context)],
  create: ({ loaded, name, cache, gridName }) => {
    const { directory, version } = cache.cache;
    if (version !== 1 && version !== 2)
      throw new Error(`compact version ${String(version)} passed validation`);
    return new CompactCache({
      directory: directory ?? join(cache.cache_dir, name, gridName),
      version,
      // a bundle write takes milliseconds; wait as long as for a tile lock
      lockTimeoutMs: loaded.config.globals.http.client_timeout * 1000,
      ...cachePermissions({ loaded, name, cache, gridName }),
    });
  },
};

/**
 * An s3 option: the cache's own, else `globals.cache.s3.<key>` (MapProxy `get_value(...,
 * global_key='cache.s3.<key>')`).
 */
function s3Option({ loaded, cache }: CacheCheckContext, key: string): string | undefined {
  const own = cache.cache[key];
  if (typeof own === 'string') return own;
  const global = loaded.config.globals.cache.s3?.[key];
  return typeof global === 'string' ? global : undefined;
}

/** MapProxy `_s3_cache`: `directory` as given (not a file path), else `<cache name>/<grid name>`. */
function s3BasePath({ name, cache, gridName }: CacheCheckContext): string {
  const { directory } = cache.cache;
  if (directory === undefined) return `${name}/${gridName}`;
  // include_grid_name (MapProxy >= 1.16): os.path.join(directory, grid name)
  if (cache.cache.include_grid_name !== true) return directory;
  return directory === '' || directory.endsWith('/') ? `${directory}${gridName}` : `${directory}/${gridName}`;
}

const s3Backend: CacheBackend = {
  validate: (context) => {
    const { loaded, name, cache } = context;
    const errors: ConfigError[] = [];
    const bucket = s3Option(context, 'bucket_name');
    if (bucket === undefined || bucket === '') {
      const given = cache.cache.bucket_name !== undefined;
      errors.push(
        configErrorAt(
          loaded,
          backendPath(name, given ? 'bucket_name' : undefined),
          `no bucket_name configured for s3 cache ${name} (set cache.bucket_name or globals.cache.s3.bucket_name)`,
        ),
      );
    }
    const layout = cache.cache.directory_layout ?? 'tms';
    if (!isDirectoryLayout(layout))
      errors.push(
        configErrorAt(loaded, backendPath(name, 'directory_layout'), `unknown directory_layout "${layout}"`),
      );
    const endpoint = s3Option(context, 'endpoint_url');
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
      const own = typeof cache.cache.endpoint_url === 'string';
      errors.push(
        configErrorAt(
          loaded,
          own ? backendPath(name, 'endpoint_url') : ['globals', 'cache', 's3', 'endpoint_url'],
          `endpoint_url "${endpoint}" is not an http:// or https:// URL`,
        ),
      );
    }
    return errors;
  },
  create: (context) => {
    const backend = context.cache.cache;
    const layout = backend.directory_layout ?? 'tms';
    const bucket = s3Option(context, 'bucket_name');
    if (!isDirectoryLayout(layout) || bucket === undefined) throw new Error('s3 options passed validation');
    return new S3Cache({
      bucket,
      basePath: s3BasePath(context),
      layout,
      extension: formatExtension(storedFormat(context.loaded, context.cache)),
      profile: s3Option(context, 'profile_name'),
      region: s3Option(context, 'region_name'),
      endpointUrl: s3Option(context, 'endpoint_url'),
      acl: s3Option(context, 'access_control_list'),
      useHttpGet: backend.use_http_get === true,
      failReads: backend.on_unavailable === 'fail',
    });
  },
};

/** Every backend mapproxy-ts runs, by `cache.type`. */
export const CACHE_BACKENDS: Readonly<Record<string, CacheBackend>> = {
  file: fileBackend,
  mbtiles: mbtilesBackend,
  sqlite: sqliteBackend,
  geopackage: geopackageBackend,
  redis: redisBackend,
  compact: compactBackend,
  s3: s3Backend,
};

/** The backend of `caches.<name>`, or a `ConfigError` at its `type` naming the supported ones. */
export function cacheBackend(
  loaded: LoadedConfig,
  name: string,
  cache: CacheConfig,
): CacheBackend | ConfigError {
  const type = cache.cache.type;
  const backend = Object.hasOwn(CACHE_BACKENDS, type) ? CACHE_BACKENDS[type] : undefined;
  if (backend !== undefined) return backend;
  return configErrorAt(
    loaded,
    backendPath(name, 'type'),
    `cache type "${type}" is not supported by mapproxy-ts yet (supported: ${Object.keys(CACHE_BACKENDS).join(', ')})`,
    'CONFIG_UNKNOWN_TYPE',
  );
}

/**
 * `meta_size` of a cache (its own or `globals.cache.meta_size`) unless it has a part below 1, which
 * no meta grid can have (MapProxy divides by it); then the ConfigError at the key that set it.
 */
export function cacheMetaSize(loaded: LoadedConfig, name: string, cache: CacheConfig): Size | ConfigError {
  const [width = 4, height = width] = cache.meta_size;
  if (Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)
    return [width, height];
  const own = loaded.locate(['caches', name, 'meta_size']) !== undefined;
  return configErrorAt(
    loaded,
    own ? ['caches', name, 'meta_size'] : ['globals', 'cache', 'meta_size'],
    `meta_size [${cache.meta_size.join(', ')}] must be whole numbers of at least 1`,
  );
}

/**
 * Every problem of every cache's backend options, for the first step of `buildProxy` (and so `check`):
 * unsupported types, what each backend's `validate` finds, and each cache's `meta_size`. Touches no files.
 */
export function checkCacheBackends(loaded: LoadedConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const [name, cache] of Object.entries(loaded.config.caches)) {
    const metaSize = cacheMetaSize(loaded, name, cache);
    if (metaSize instanceof ConfigError && !errors.some((e) => e.message === metaSize.message))
      errors.push(metaSize);
    // disable_storage caches never use their backend (MapProxy builds a DummyCache)
    if (cache.disable_storage) continue;
    const backend = cacheBackend(loaded, name, cache);
    if (backend instanceof ConfigError) {
      errors.push(backend);
      continue;
    }
    for (const gridName of cache.grids) {
      const found = backend.validate?.({ loaded, name, cache, gridName }) ?? [];
      for (const error of found) {
        if (!errors.some((e) => e.message === error.message)) errors.push(error);
      }
    }
  }
  return errors;
}

function linkMode(value: boolean | string): 'symlink' | 'hardlink' | null {
  if (value === true || value === 'symlink' || value === 'true') return 'symlink';
  if (value === 'hardlink') return 'hardlink';
  return null;
}
