/** The cache behind `disable_storage: true` (MapProxy `cache/dummy.py`): stores nothing, finds nothing. */
import type { TileCoord } from '../grid/index.js';
import type { CachedTile, TileCache } from './types.js';

export class DummyCache implements TileCache {
  readonly lockCacheId = 'dummy';
  readonly supportsTimestamps = false;
  readonly isDummy = true;
  readonly wantsSingleColor = false;

  loadTile(): Promise<CachedTile | null> {
    return Promise.resolve(null);
  }

  loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    return Promise.resolve(coords.map(() => null));
  }

  tileTimestamp(): Promise<number | null> {
    return Promise.resolve(null);
  }

  isCached(): Promise<boolean> {
    return Promise.resolve(false);
  }

  storeTiles(): Promise<void> {
    return Promise.resolve();
  }

  removeTile(): Promise<void> {
    return Promise.resolve();
  }
}
