/**
 * `downscale_tiles` and `upscale_tiles` on caches without sources, against MapProxy 1.15's answers
 * captured on the same configuration and stored tiles (test/fixtures/rescale/capture.py): a tile
 * missing in the cache is built from the next level's tiles, a part no stored tile covers is
 * transparent in a transparent cache (a PNG cache by default) and white in an opaque one, the
 * stored tiles' alpha is kept (dropped, colours kept, in an opaque cache's mosaic), and nothing
 * rescaled is stored (`cache_rescaled_tiles` is off).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';

const FIXTURE_DIR = join(FIXTURES_DIR, 'rescale');
/** The stored level-3 tiles, by the grid's internal (top-left origin) coordinates; 3/3/2 is missing. */
const SOURCE_TILES = [
  [3, 2, 2],
  [3, 3, 3],
  [3, 2, 3],
] as const;
/** What each cache holds (see capture.py); the opaque one's mosaic drops the translucent tile's alpha. */
const STORED: Readonly<Record<string, readonly (readonly [number, number, number])[]>> = {
  down_cache: SOURCE_TILES,
  downt_cache: SOURCE_TILES,
  up_cache: SOURCE_TILES,
  downo_cache: SOURCE_TILES,
};

function tcPath(z: number, x: number, y: number): string {
  const part = (n: number): string => String(n).padStart(3, '0');
  const triple = (n: number): string =>
    [Math.floor(n / 1e6), Math.floor(n / 1e3) % 1000, n % 1000].map(part).join('/');
  return `${String(z).padStart(2, '0')}/${triple(x)}/${triple(y)}.png`;
}

async function rgba(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

test('tiles rescaled from other levels are MapProxy 1.15 pixel for pixel, and not stored', async (t) => {
  const proxy = await startProxy(t, join('rescale', 'mapproxy.yaml'));
  const cacheDir = (cache: string): string => join(proxy.dir, 'cache_data', `${cache}_EPSG3857`);
  for (const [cache, stored] of Object.entries(STORED)) {
    for (const [z, x, y] of stored) {
      const target = join(cacheDir(cache), tcPath(z, x, y));
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(FIXTURE_DIR, `source-${z}-${x}-${y}.png`), target);
    }
  }
  // TMS levels are one below the grid's, rows counted from the bottom
  for (const [layer, z, x, y] of [
    ['down', 1, 1, 2],
    ['down', 2, 2, 5],
    ['downt', 1, 1, 2],
    ['downo', 1, 1, 2],
    ['up', 3, 4, 11],
    ['up', 3, 6, 9],
    ['up', 3, 6, 11],
  ] as const) {
    const name = `${layer}-${z}-${x}-${y}`;
    const res = await fetch(`${proxy.url}/tms/1.0.0/${layer}/EPSG3857/${z}/${x}/${y}.png`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), 'image/png', name);
    const ours = await rgba(Buffer.from(await res.arrayBuffer()));
    const theirs = await rgba(await readFile(join(FIXTURE_DIR, `${name}.png`)));
    assert.ok(ours.equals(theirs), `${name}: pixels differ from MapProxy's`);
  }
  // the level-2 parent (internal 2/1/1) and a level-4 tile (internal 4/4/4) were built, not stored
  assert.equal(existsSync(join(cacheDir('down_cache'), tcPath(2, 1, 1))), false);
  assert.equal(existsSync(join(cacheDir('up_cache'), tcPath(4, 4, 4))), false);
});
