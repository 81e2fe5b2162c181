/**
 * The cache backend registry as `check` and the build see it: bad backend options and backend
 * types we do not run are refused by both, at the same key and position, before any file exists.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigErrors, loadConfig } from '../config/index.js';
import { buildProxy } from './build-proxy.js';
import { checkConfiguration } from './check.js';

/** A config with one cache `c` whose `cache:` block is `backend` (YAML lines, indented 6). */
async function writeConfig(
  t: TestContext,
  backend: string,
  extra = '',
): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cache-backends-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(
    file,
    [
      'layers:',
      '  - name: l',
      '    title: l',
      '    sources: [c]',
      'caches:',
      '  c:',
      '    grids: [GLOBAL_WEBMERCATOR]',
      '    sources: [d]',
      '    cache:',
      backend,
      extra,
      'sources:',
      '  d:',
      '    type: debug',
      '',
    ].join('\n'),
  );
  return { file, dir };
}

async function problems(file: string): Promise<string[]> {
  const result = await checkConfiguration({ configFile: file });
  return result.errors.map((e) => e.format(join(file, '..')));
}

test('check accepts the sqlite-family backends and creates no file', async (t) => {
  for (const backend of [
    '      type: mbtiles\n      filename: x.mbtiles\n      sqlite_timeout: 5\n      sqlite_wal: false',
    '      type: sqlite\n      directory: ./levels',
    '      type: geopackage\n      filename: g.gpkg\n      table_name: my-tiles_1',
    '      type: geopackage\n      levels: true',
  ]) {
    const { file, dir } = await writeConfig(t, backend);
    assert.deepEqual(await problems(file), [], backend);
    const loaded = await loadConfig(file);
    buildProxy(loaded);
    assert.deepEqual(await readdir(dir), ['mapproxy.yaml'], 'nothing is created before a tile is stored');
  }
});

test('check accepts compact caches v1 and v2, and the build creates no bundle', async (t) => {
  for (const backend of [
    '      type: compact\n      version: 1',
    '      type: compact\n      version: 2\n      directory: ./bundles',
  ]) {
    const { file, dir } = await writeConfig(t, backend);
    assert.deepEqual(await problems(file), [], backend);
    buildProxy(await loadConfig(file));
    assert.deepEqual(await readdir(dir), ['mapproxy.yaml'], 'nothing is created before a tile is stored');
  }
});

test('a cache type mapproxy-ts does not run is refused by check and by the build at cache.type', async (t) => {
  const { file } = await writeConfig(t, '      type: couchdb\n      url: http://localhost:5984');
  const expected =
    'mapproxy.yaml:10:13 caches.c.cache.type: cache type "couchdb" is not supported by mapproxy-ts yet ' +
    '(supported: file, mbtiles, sqlite, geopackage, redis, compact, s3)';
  assert.deepEqual(await problems(file), [expected]);
  const loaded = await loadConfig(file);
  // refused with the other unsupported options, before anything is built
  assert.throws(
    () => buildProxy(loaded),
    (error: unknown) => {
      assert.ok(error instanceof ConfigErrors, String(error));
      assert.deepEqual(
        error.errors.map((e) => [e.code, e.path]),
        [['CONFIG_UNKNOWN_TYPE', ['caches', 'c', 'cache', 'type']]],
      );
      return true;
    },
  );
});

test('a cache with disable_storage never uses its backend, so its type is not checked', async (t) => {
  const { file } = await writeConfig(t, '      type: riak', '    disable_storage: true');
  assert.deepEqual(await problems(file), []);
});

test('bad backend options fail check with file:line:column and key path', async (t) => {
  const cases: [string, string][] = [
    [
      '      type: file\n      directory_layout: flat',
      'mapproxy.yaml:11:25 caches.c.cache.directory_layout: expected "tc" or "mp" or "tms" or "reverse_tms" or "quadkey" or "arcgis", got "flat"',
    ],
    [
      '      type: compact\n      version: 3',
      'mapproxy.yaml:11:16 caches.c.cache.version: expected 1 or 2, got 3',
    ],
    ['      type: compact', "mapproxy.yaml:10:7 caches.c.cache: missing required key 'version'"],
    [
      '      type: geopackage\n      table_name: "x; drop"',
      'mapproxy.yaml:11:19 caches.c.cache.table_name: expected letters, digits, "_" and "-" only, got "x; drop"',
    ],
    [
      '      type: mbtiles\n      sqlite_timeout: soon',
      'mapproxy.yaml:11:23 caches.c.cache.sqlite_timeout: expected a number, got "soon"',
    ],
  ];
  for (const [backend, message] of cases) {
    const { file } = await writeConfig(t, backend);
    assert.deepEqual(await problems(file), [message], backend);
  }
});

test('check accepts a redis cache and the redis tile locks, and the build connects to nothing', async (t) => {
  const { file } = await writeConfig(
    t,
    '      type: redis\n      host: 127.0.0.1\n      port: 1\n      db: 2\n      prefix: p\n      default_ttl: 0\n' +
      '      username: u\n      password: pw',
    'globals:\n  cache:\n    tile_lock_backend: redis\n    tile_lock_redis:\n      port: 1\n      lease_seconds: 2',
  );
  assert.deepEqual(await problems(file), []);
  // port 1 has no Redis: building must not try, only a tile request would
  buildProxy(await loadConfig(file));
});

test('bad redis options fail check with file:line:column and key path', async (t) => {
  const cases: [string, string, string[]][] = [
    [
      '      type: redis\n      port: "6379"',
      '',
      ['mapproxy.yaml:11:13 caches.c.cache.port: expected an integer, got "6379"'],
    ],
    [
      '      type: redis\n      port: 70000',
      '',
      ['mapproxy.yaml:11:13 caches.c.cache.port: port 70000 is not 1-65535'],
    ],
    [
      '      type: redis\n      db: -1\n      default_ttl: -5\n      username: u',
      '',
      [
        'mapproxy.yaml:11:11 caches.c.cache.db: db -1 is negative',
        'mapproxy.yaml:12:20 caches.c.cache.default_ttl: default_ttl -5 is negative',
        'mapproxy.yaml:13:17 caches.c.cache.username: username needs a password',
      ],
    ],
    [
      '      type: redis\n      ssl_keyfile: k.pem',
      '',
      [
        'mapproxy.yaml:11:20 caches.c.cache.ssl_keyfile: ssl_keyfile needs ssl_certfile (the client certificate)',
      ],
    ],
    [
      '      type: redis\n      ssl: false\n      ssl_ca_certs: ca.pem',
      '',
      ['mapproxy.yaml:12:21 caches.c.cache.ssl_ca_certs: ssl_ca_certs is set but ssl is false'],
    ],
    [
      '      type: file',
      'globals:\n  cache:\n    tile_lock_backend: redlock',
      ['mapproxy.yaml:13:24 globals.cache.tile_lock_backend: expected "file" or "redis", got "redlock"'],
    ],
    [
      '      type: file',
      'globals:\n  cache:\n    tile_lock_backend: redis\n    tile_lock_redis:\n      lease_seconds: 0',
      ['mapproxy.yaml:15:22 globals.cache.tile_lock_redis.lease_seconds: lease_seconds 0 is below 0.1'],
    ],
  ];
  for (const [backend, extra, messages] of cases) {
    const { file } = await writeConfig(t, backend, extra);
    assert.deepEqual(await problems(file), messages, backend + extra);
  }
});

test('a directory shared by several grids and an invalid default table name are refused', async (t) => {
  const shared = await writeConfig(t, '      type: file\n      directory: ./tiles', '');
  await writeFile(
    shared.file,
    (await readFile(shared.file, 'utf8')).replace(
      '[GLOBAL_WEBMERCATOR]',
      '[GLOBAL_WEBMERCATOR, GLOBAL_GEODETIC]',
    ),
  );
  assert.deepEqual(await problems(shared.file), [
    'mapproxy.yaml:11:18 caches.c.cache.directory: using single directory for cache with multiple grids in c',
  ]);
  await assert.rejects(async () => {
    buildProxy(await loadConfig(shared.file));
  }, ConfigErrors);

  const table = await writeConfig(t, '      type: geopackage');
  await writeFile(table.file, (await readFile(table.file, 'utf8')).replaceAll(/\bc\b(?=:|\])/g, 'my.cache'));
  assert.deepEqual(await problems(table.file), [
    'mapproxy.yaml:10:7 caches.my.cache.cache: the table_name my.cache_GLOBAL_WEBMERCATOR contains unsupported characters (letters, digits, "_" and "-" only); set cache.table_name',
  ]);
});

test('directory_permissions and file_permissions that are no octal permission fail check at the key that set them', async (t) => {
  const own = await writeConfig(t, "      type: file\n      file_permissions: 'rw-r--r--'");
  assert.deepEqual(await problems(own.file), [
    `mapproxy.yaml:11:25 caches.c.cache.file_permissions: file_permissions "rw-r--r--" is no octal permission such as '755' or '644'`,
  ]);
  const global = await writeConfig(
    t,
    '      type: mbtiles',
    "globals:\n  cache:\n    directory_permissions: '9'",
  );
  assert.deepEqual(await problems(global.file), [
    `mapproxy.yaml:13:28 globals.cache.directory_permissions: directory_permissions "9" is no octal permission such as '755' or '644'`,
  ]);
  // a valid one is accepted, by every backend that writes files
  for (const type of ['file', 'mbtiles', 'sqlite', 'geopackage', 'compact\n      version: 2']) {
    const ok = await writeConfig(
      t,
      `      type: ${type}\n      directory_permissions: '0775'\n      file_permissions: '664'`,
    );
    assert.deepEqual(await problems(ok.file), [], type);
  }
});
