/**
 * A tile reaching past its meta image (a grid whose bbox is no whole number of tiles) is in the
 * cache's mode, also for link_single_color_images: MapProxy's TileSplitter draws it on the
 * cache's canvas (RGB in an opaque cache), so a source's transparent white there is white and the
 * tile is linked as ffffff.png. We looked at its RGBA pixels (transparent and opaque white: two
 * colours) and stored a file (seeding differential --more, seed 16). Captured by
 * test/fixtures/single-color-edge/capture.py (mapproxy-seed over the palette tests' band image).
 */
import assert from 'node:assert/strict';
import { lstat, readdir, readlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { runSeed } from '../../src/core/index.js';
import { bands } from '../helpers/band-upstream.js';
import { copyFixture } from '../helpers/fixtures.js';
import { startUpstream } from '../helpers/upstream.js';

/** What MapProxy 1.15 stored (capture.py): a link's target, else the file's size. */
const MAPPROXY_FILES = {
  'edge_EPSG3857/0/0/0.png': 1547,
  'edge_EPSG3857/1/0/0.png': 2123,
  'edge_EPSG3857/1/0/1.png': '../../single_color_tiles/ffffff00.png',
  'edge_EPSG3857/1/1/0.png': '../../single_color_tiles/ffffff.png',
  'edge_EPSG3857/1/1/1.png': '../../single_color_tiles/ffffff.png',
  'edge_EPSG3857/2/0/0.png': 3182,
  'edge_EPSG3857/2/0/1.png': '../../single_color_tiles/ffffff00.png',
  'edge_EPSG3857/2/1/0.png': '../../single_color_tiles/ffffff00.png',
  'edge_EPSG3857/2/1/1.png': '../../single_color_tiles/ffffff00.png',
  'edge_EPSG3857/single_color_tiles/ffffff.png': 921,
  'edge_EPSG3857/single_color_tiles/ffffff00.png': 921,
};

test("a white tile past an opaque cache's meta image is linked as MapProxy links it (ffffff.png)", async (t) => {
  const upstream = await startUpstream(t, { '/service': bands });
  const config = await copyFixture(t, 'single-color-edge/mapproxy.yaml', { UPSTREAM_URL: upstream.url });
  const dir = dirname(config);
  await writeFile(join(dir, 'seed.yaml'), 'seeds:\n  s:\n    caches: [edge]\n    levels: [0, 1, 2]\n');
  const result = await runSeed({
    proxyConfigFile: config,
    seedConfigFile: join(dir, 'seed.yaml'),
    concurrency: 1,
    retries: 0,
  });
  assert.equal(result.status, 'done');
  const root = join(dir, 'cache_data');
  const files: Record<string, string | number> = {};
  for (const entry of await readdir(root, { recursive: true })) {
    const path = join(root, entry);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) files[relative(root, path)] = await readlink(path);
    else if (stat.isFile() && !entry.endsWith('.lck')) files[relative(root, path)] = stat.size;
  }
  assert.deepEqual(files, MAPPROXY_FILES);
});
