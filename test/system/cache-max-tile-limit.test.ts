/**
 * A cache's own `max_tile_limit` (MapProxy 1.15 reads it before `globals.cache.max_tile_limit`,
 * although its spec warns about the key as unknown): a WMS GetMap of more tiles is refused.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

test("a cache's own max_tile_limit refuses a GetMap of more tiles, as MapProxy does", async (t) => {
  const dir = await makeTempDir(t, 'cache-max-tile-limit-');
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(
    configFile,
    `
services:
  wms:
    md: {title: max_tile_limit}
layers:
  - {name: limited, title: limited, sources: [limited]}
  - {name: free, title: free, sources: [free]}
caches:
  limited:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    max_tile_limit: 1
  free:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
sources:
  d: {type: debug}
`,
  );
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const answers: Record<string, string> = {};
  for (const layer of ['limited', 'free']) {
    const res = await fetch(
      `${server.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${layer}&STYLES=` +
        '&SRS=EPSG:3857&BBOX=-20037508,-20037508,20037508,20037508&WIDTH=512&HEIGHT=512&FORMAT=image/png',
    );
    const body = await res.text();
    answers[layer] = res.headers.get('content-type') === 'image/png' ? 'image/png' : body;
  }
  // MapProxy 1.15's answers on this configuration
  assert.equal(answers.free, 'image/png');
  assert.match(
    answers.limited ?? '',
    /Request too large or invalid BBOX\. \(too many tiles, max_tile_limit: 1, num_tiles: 4\)/,
  );
});
