/** Cache directory, lock directory and lock names, pinned against MapProxy 1.15's config loader. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileCacheDirectory, lockCacheId, tileLockDirectory } from './cache-dir.js';
import { TileLocker } from './lock.js';

// Expected values from /usr/bin/python3 with MapProxy 1.15: load_configuration() of a config with
// globals.cache.base_dir /srv/base and the caches below, printing for each
// mgr.cache.cache_dir, mgr.locker.lock_dir, mgr.cache.lock_cache_id and lock_filename((4, 0, 2)).
const CASES = [
  {
    name: 'default: <base>/<cache>_<srs without colon>',
    dir: {
      cacheName: 'osm_cache',
      baseDir: '/srv/base',
      gridName: 'GLOBAL_MERCATOR',
      gridSrs: 'EPSG:900913',
    },
    lock: { baseDir: '/srv/base' },
    cacheDir: '/srv/base/osm_cache_EPSG900913',
    lockFile: '/srv/base/tile_locks/4971b24d557ff1b54af8926220e54bd1-4-0-2.lck',
  },
  {
    name: 'use_grid_names: <base>/<cache>/<grid>',
    dir: {
      cacheName: 'named',
      baseDir: '/srv/base',
      gridName: 'GLOBAL_WEBMERCATOR',
      gridSrs: 'EPSG:3857',
      useGridNames: true,
    },
    lock: { baseDir: '/srv/base' },
    cacheDir: '/srv/base/named/GLOBAL_WEBMERCATOR',
    lockFile: '/srv/base/tile_locks/6a8f3df572c71358de5c46b97f950dbe-4-0-2.lck',
  },
  {
    name: 'directory wins over cache_dir, and hosts the default lock dir',
    dir: {
      cacheName: 'direct',
      baseDir: '/srv/own',
      gridName: 'GLOBAL_GEODETIC',
      gridSrs: 'EPSG:4326',
      directory: '/srv/tiles/direct',
    },
    lock: { baseDir: '/srv/own', directory: '/srv/tiles/direct' },
    cacheDir: '/srv/tiles/direct',
    lockFile: '/srv/tiles/direct/tile_locks/12d143e974e34bcb8312c6e54233b81b-4-0-2.lck',
  },
  {
    name: 'cache_dir as base, explicit tile_lock_dir',
    dir: { cacheName: 'own', baseDir: '/srv/own', gridName: 'GLOBAL_GEODETIC', gridSrs: 'EPSG:4326' },
    lock: { baseDir: '/srv/own', tileLockDir: '/srv/locks' },
    cacheDir: '/srv/own/own_EPSG4326',
    lockFile: '/srv/locks/bf5ffb3b02ec6071fc8fc8c651dc92a2-4-0-2.lck',
  },
] as const;

for (const c of CASES) {
  test(`cache and lock paths as MapProxy 1.15: ${c.name}`, () => {
    const cacheDir = fileCacheDirectory(c.dir);
    assert.equal(cacheDir, c.cacheDir);
    const locker = new TileLocker({ lockDir: tileLockDirectory(c.lock), lockCacheId: lockCacheId(cacheDir) });
    assert.equal(locker.lockPath({ x: 4, y: 0, z: 2 }), c.lockFile);
  });
}
