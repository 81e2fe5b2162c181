/**
 * A source with nothing anywhere (MapProxy `DummySource`, used for `seed_only` sources outside
 * seeding): every query resolves null.
 */
import type { MapSource } from './types.js';

export function createBlankSource(name: string): MapSource {
  return { name, isTransparent: true, tileGrid: null, getMap: () => Promise.resolve(null) };
}
