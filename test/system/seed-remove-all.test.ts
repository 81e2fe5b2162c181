/**
 * A cleanup with `remove_all: true` removes every stored tile of its levels also where it walks
 * the tiles: under a coverage, and over whole levels of a `quadkey` cache (no level directories).
 * MapProxy 1.15 removes none under a coverage (its walk keeps tiles with mtime < 0 only) and fails
 * on the quadkey cache (`NotImplementedError: cache does not have any level location`); seeding
 * differential, seed 10. docs/differences.md has the row.
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedWith } from '../helpers/palette-seed.js';
import { makeTempDir } from '../helpers/fixtures.js';

const MAPPROXY_YAML = `services:
  tms: {}
layers:
  - {name: q, title: q, sources: [q]}
  - {name: t, title: t, sources: [t]}
caches:
  q:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [dbg]
    cache: {type: file, directory_layout: quadkey}
  t:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [dbg]
    cache: {type: file, directory_layout: tc}
sources:
  dbg: {type: debug}
globals:
  cache: {base_dir: cache_data/}
`;

async function pngs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  return entries.filter((e) => e.endsWith('.png')).sort();
}

test('remove_all removes the stored tiles of a quadkey cache and of a cleanup with a coverage', async (t) => {
  const dir = await makeTempDir(t, 'seed-remove-all-');
  await writeFile(join(dir, 'mapproxy.yaml'), MAPPROXY_YAML);
  await seedWith(
    dir,
    `coverages:
  southwest: {bbox: [-20037508, -20037508, 0, 0], srs: 'EPSG:3857'}
seeds:
  all: {caches: [q, t], levels: {to: 2}}
cleanups:
  levels: {caches: [q], levels: [1, 2], remove_all: true}
  covered: {caches: [t], levels: [1, 2], remove_all: true, coverages: [southwest]}
`,
  );
  // quadkey: the names of level 1 and 2 tiles have 1 and 2 digits; level 0's is empty
  assert.deepEqual(await pngs(join(dir, 'cache_data', 'q_EPSG3857')), ['.png']);
  // tc: the southwest tile of level 1 (GLOBAL_WEBMERCATOR counts rows from the top) and the four
  // of level 2 below it are gone
  const left = await pngs(join(dir, 'cache_data', 't_EPSG3857'));
  const tc = (z: number, x: number, y: number): string =>
    join(
      String(z).padStart(2, '0'),
      '000',
      '000',
      String(x).padStart(3, '0'),
      '000',
      '000',
      `${String(y).padStart(3, '0')}.png`,
    );
  const gone = [tc(1, 0, 1), tc(2, 0, 2), tc(2, 0, 3), tc(2, 1, 2), tc(2, 1, 3)];
  assert.equal(left.length, 21 - gone.length);
  assert.deepEqual(
    gone.filter((p) => left.includes(p)),
    [],
  );
});
