/**
 * The palette tests' seeding (seed-palette-colors, palette-alpha, seed-jpeg, clip-cache): level 0 of one TMS-layout file
 * cache per entry, over the band upstream, by the seed command's engine, and PNG chunk counts;
 * `seedWith` runs any test's seed.yaml that way (seed-palette-png, seed-remove-all, mixed-sub-image, reverse-interop).
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runSeed } from '../../src/core/index.js';
import { bands } from './band-upstream.js';
import { FIXTURES_DIR, makeTempDir } from './fixtures.js';
import { startUpstream } from './upstream.js';

/**
 * A cache to seed: its source (`wms` asks transparent: true, `opaque` false, `clipped` is `opaque`
 * clipped to test/fixtures/clip-cache/clip.wkt), `image` options and format (default
 * image/png).
 */
export interface PaletteCache {
  readonly source?: 'wms' | 'opaque' | 'clipped';
  readonly options: string;
  readonly format?: 'image/png' | 'image/jpeg';
}

/**
 * Seeds level 0 of each cache of `caches` (source `wms` unless given) on `grid`; resolves each
 * one's tile 0/0/0 (on GLOBAL_GEODETIC the tile reaches past its meta image, the world's 180°).
 */
export async function seedLevelZero<Name extends string>(
  t: TestContext,
  caches: Readonly<Record<Name, PaletteCache>>,
  grid: 'GLOBAL_WEBMERCATOR' | 'GLOBAL_GEODETIC' = 'GLOBAL_WEBMERCATOR',
): Promise<Record<Name, Buffer>> {
  const upstream = await startUpstream(t, { '/service': bands });
  const dir = await makeTempDir(t, 'seed-palette-');
  const names = Object.keys(caches) as Name[];
  await copyFile(join(FIXTURES_DIR, 'clip-cache', 'clip.wkt'), join(dir, 'clip.wkt'));
  await writeFile(
    join(dir, 'mapproxy.yaml'),
    `services:
  tms: {}
layers:
${names.map((name) => `  - {name: ${name}, title: ${name}, sources: [${name}]}`).join('\n')}
caches:
${names
  .map(
    (name) => `  ${name}:
    grids: [${grid}]
    sources: [${caches[name].source ?? 'wms'}]
    cache: {type: file, directory_layout: tms}
    image: ${caches[name].options}${caches[name].format === undefined ? '' : `\n    format: ${caches[name].format}`}`,
  )
  .join('\n')}
sources:
  wms:
    type: wms
    req: {url: ${upstream.url}/service, layers: bands, transparent: true}
  opaque:
    type: wms
    req: {url: ${upstream.url}/service, layers: bands, transparent: false}
  clipped:
    type: wms
    req: {url: ${upstream.url}/service, layers: bands, transparent: false}
    coverage: {datasource: clip.wkt, srs: 'EPSG:4326', clip: true}
globals:
  cache: {base_dir: cache_data/}
`,
  );
  await seedWith(dir, `seeds:\n  level0:\n    caches: [${names.join(', ')}]\n    levels: [0]\n`);
  const tiles = {} as Record<Name, Buffer>;
  for (const name of names)
    tiles[name] = await readFile(
      join(
        dir,
        'cache_data',
        `${name}_${grid === 'GLOBAL_GEODETIC' ? 'EPSG4326' : 'EPSG3857'}`,
        '0',
        '0',
        caches[name].format === 'image/jpeg' ? '0.jpeg' : '0.png',
      ),
    );
  return tiles;
}

/**
 * Writes `seedYaml` as seed.yaml beside `dir`'s mapproxy.yaml and runs the seed command's engine
 * on them (one worker, no retries); fails the test unless the run is done.
 */
export async function seedWith(dir: string, seedYaml: string): Promise<void> {
  await writeFile(join(dir, 'seed.yaml'), seedYaml);
  const result = await runSeed({
    proxyConfigFile: join(dir, 'mapproxy.yaml'),
    seedConfigFile: join(dir, 'seed.yaml'),
    concurrency: 1,
    retries: 0,
  });
  assert.equal(result.status, 'done');
}

/** Entries of PNG chunk `name` (3 bytes each for PLTE, 1 for tRNS); 0 when there is none. */
export function chunkEntries(png: Buffer, name: 'PLTE' | 'tRNS'): number {
  const at = png.indexOf(name, 8, 'latin1');
  return at < 0 ? 0 : png.readUInt32BE(at - 4) / (name === 'PLTE' ? 3 : 1);
}
