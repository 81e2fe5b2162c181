/**
 * Releasing what a built configuration holds open: SQLite handles, Redis and S3 clients of its
 * caches and the Redis connection of its tile locks. Run when a reload replaced the runtime and
 * when the server stops, so reloads do not accumulate connections and file handles.
 */
import type { TileCache, TileManager } from '../cache/index.js';
import type { LoadedConfig } from '../config/index.js';
import { getLogger } from '../util/index.js';
import { closeLockConnections } from './lock-backends.js';

const log = getLogger('mapproxy.config');

/** Closes every cache once and the lock connection; a failure is logged, never thrown. */
export async function closeRuntime(
  loaded: LoadedConfig,
  caches: ReadonlyMap<string, ReadonlyMap<string, TileManager>>,
): Promise<void> {
  const stores = new Set<TileCache>();
  for (const grids of caches.values())
    for (const manager of grids.values()) {
      stores.add(manager.cache);
      // responses the server remembers from these tiles stop being fresh with them
      manager.releaseHotTiles();
    }
  const closing = [...stores].map(async (store) => store.close?.());
  closing.push(closeLockConnections(loaded));
  for (const result of await Promise.allSettled(closing)) {
    if (result.status === 'rejected')
      log.warn(`could not close a cache of ${loaded.configFile}: ${String(result.reason)}`);
  }
}
