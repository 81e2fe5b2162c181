/**
 * `mapproxy-util defrag-compact-cache` end to end: a v2 compact cache whose level-1 bundle gained
 * dead space by overwriting its tiles is rewritten smaller by the command (MapProxy's log lines,
 * --caches, --dry-run), and the real server then serves the latest tiles from it over HTTP with no
 * upstream request. Unknown cache names exit 1.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CompactCache } from '../../src/core/cache/index.js';
import { runCommand } from '../helpers/cli.js';
import { copyFixture, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import sharp from 'sharp';
import { startUpstream } from '../helpers/upstream.js';

/** A 96x96 PNG of noise (tens of kB, so overwriting it leaves real dead space), different per `seed`. */
function noisePng(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(96 * 96 * 3);
  let s = seed + 1;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pixels[i] = s >>> 24;
  }
  return sharp(pixels, { raw: { width: 96, height: 96, channels: 3 } })
    .png()
    .toBuffer();
}

test('defragments an overwritten bundle, which then serves the latest tiles', async (t) => {
  const upstream = await startUpstream(t); // any request fails the test
  const cacheDir = join(await makeTempDir(t), 'cache_data');
  const vars = { UPSTREAM_URL: upstream.url, CACHE_DIR: cacheDir };
  const configFile = await copyFixture(t, 'compact-caches/mapproxy.yaml', vars);
  const cache = new CompactCache({ directory: join(cacheDir, 'c2'), version: 2 });
  const latest = new Map<string, Buffer>();
  for (let round = 0; round < 5; round++) {
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      const data = await noisePng(round * 4 + x * 2 + y);
      await cache.storeTiles([{ coord: { x, y, z: 1 }, data }]);
      latest.set(`${String(x)}/${String(y)}`, data);
    }
  }
  const bundle = join(cacheDir, 'c2/L01/R0000C0000.bundle');
  const before = await readFile(bundle);

  const dry = await runCommand(['defrag-compact-cache', '-f', configFile, '--min-mb', '0.001', '-n']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(
    dry.stdout,
    /^\[[\d-]+ [\d:]+\] c2: {3}1\/1 \(.*c2\/L01\/R0000C0000\.bundle\) fragmentation is \d+\.\d% \(\d+kb\) - defragmenting$/m,
  );
  assert.ok((await readFile(bundle)).equals(before), 'a dry run writes nothing');

  const run = await runCommand([
    'defrag-compact-cache',
    '-f',
    configFile,
    '--min-mb',
    '0.001',
    '--caches',
    'c2',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const after = (await stat(bundle)).size;
  const live = [...latest.values()].reduce((n, d) => n + d.length + 4, 0);
  assert.equal(after, 64 + 128 * 128 * 8 + live, 'only the live tiles are left');

  const proxy = await startProxy(t, 'compact-caches/mapproxy.yaml', vars);
  for (const [col, row, internal] of [
    [0, 0, '0/0'],
    [1, 1, '1/1'],
  ] as const) {
    const res = await fetch(`${proxy.url}/wmts/c2/GLOBAL_WEBMERCATOR/1/${String(col)}/${String(row)}.png`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(latest.get(internal) ?? Buffer.alloc(0)), internal);
  }
  assert.equal(upstream.requests.length, 0);

  const unknown = await runCommand(['defrag-compact-cache', '-f', configFile, '--caches', 'c9']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown caches: c9\navailable compact caches: c1, c2/);
});
