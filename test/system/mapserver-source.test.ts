/**
 * `type: mapserver` sources (issue 15): Debian's mapserv run as CGI on a mapfile, as MapProxy 1.15
 * runs it, for a direct layer, a transparent one with its own `working_dir`, a cache with meta
 * tiles, and the direct layer's GetFeatureInfo and GetLegendGraphic (`wms_opts`). The binary is a wrapper logging each call's working directory and QUERY_STRING; calls and
 * images were captured from MapProxy 1.15 on the same configuration (fixtures/mapserver-source,
 * capture.py). `check` refuses a binary that does not exist, at its key.
 */
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { checkConfig, startServer } from '../../src/core/index.js';
import { imageDiff } from '../fixtures/wms/kit.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';
import { useMapServerConfig } from '../helpers/mapserver.js';
import { needs } from '../helpers/system-programs.js';

const DIR = join(FIXTURES_DIR, 'mapserver-source');
const skip = needs('mapserv');

interface Step {
  readonly path: string;
  readonly contentType: string;
  /** The image MapProxy answered, or its text (feature info). */
  readonly image?: string;
  readonly body?: string;
  /** `<working dir name> <QUERY_STRING>` of every mapserv call; `<dir>` is the config's directory. */
  readonly calls: readonly string[];
}

const CAPTURES = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<string, Step>;

/**
 * A call as its working directory and sorted parameters, bbox numbers to 10 significant digits
 * (MapProxy's float repr differs in the last one). The parameter order of WMS requests is pinned by
 * the WMS source tests; mapserv reads them in any order.
 */
function normalized(call: string): string {
  const [cwd = '', query = ''] = call.split(' ');
  const params = query.split('&').map((p) =>
    p.startsWith('bbox=')
      ? `bbox=${p
          .slice(5)
          .split(',')
          .map((v) => Number(v).toPrecision(10))
          .join(',')}`
      : p,
  );
  return `${cwd} ${params.sort().join('&')}`;
}

test('mapserver sources run mapserv as CGI as MapProxy 1.15 does', { skip }, async (t) => {
  const configFile = await copyFixture(t, 'mapserver-source/mapserver.yaml', {
    MAPSERV: 'bin/mapserv-logged',
  });
  const dir = dirname(configFile);
  for (const name of ['world.map', 'mapserver.conf']) await copyFile(join(DIR, name), join(dir, name));
  await mkdir(join(dir, 'bin'));
  const log = join(dir, 'calls.log');
  await writeFile(
    join(dir, 'bin', 'mapserv-logged'),
    `#!/bin/sh\necho "$(basename "$(pwd)") $QUERY_STRING" >> '${log}'\nexec /usr/bin/mapserv\n`,
  );
  await chmod(join(dir, 'bin', 'mapserv-logged'), 0o755);
  // this one allows absolute mapfile paths
  useMapServerConfig(t, join(dir, 'mapserver.conf'));
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const local = (call: string) =>
    call.replaceAll(encodeURIComponent(dir), '<dir>').replace(new RegExp(`^${basename(dir)} `), '<dir> ');
  for (const [name, step] of Object.entries(CAPTURES)) {
    await writeFile(log, '');
    const res = await fetch(`${server.url}${step.path}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), step.contentType, name);
    const calls = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
    assert.deepEqual(calls.map(local).map(normalized), step.calls.map(normalized), `${name}: mapserv calls`);
    const body = Buffer.from(await res.arrayBuffer());
    if (step.body !== undefined) {
      assert.equal(body.toString(), step.body, name);
      continue;
    }
    const diff = await imageDiff(await readFile(join(DIR, step.image ?? '')), body);
    // same mapserv pixels; the cached tile went through each side's 256-colour quantiser
    assert.ok(diff.mean <= 0.5 && diff.max <= 16, `${name} differs from MapProxy: ${JSON.stringify(diff)}`);
  }
});

test('check refuses a mapserver binary that does not exist, at its key', async (t) => {
  const configFile = await copyFixture(t, 'mapserver-source/mapserver.yaml', {
    MAPSERV: '/nonexistent/mapserv',
  });
  const result = await checkConfig({ configFile });
  assert.equal(result.ok, false);
  assert.ok(
    result.errors.some((e) =>
      e.format().endsWith('globals.mapserver.binary: could not find mapserver binary (/nonexistent/mapserv)'),
    ),
    result.errors.map((e) => e.format()).join('\n'),
  );
});

test('concurrent_requests limits the mapserv processes running at once', { skip }, async (t) => {
  const configFile = await copyFixture(t, 'mapserver-source/mapserver.yaml', { MAPSERV: 'bin/mapserv-slow' });
  const dir = dirname(configFile);
  const config = await readFile(configFile, 'utf8');
  await writeFile(
    configFile,
    config.replace('globals:\n', 'globals:\n  http:\n    concurrent_requests: 1\n'),
  );
  for (const name of ['world.map', 'mapserver.conf']) await copyFile(join(DIR, name), join(dir, name));
  await mkdir(join(dir, 'bin'));
  const log = join(dir, 'calls.log');
  // every call logs its start and end, and takes at least 0.3 s
  await writeFile(
    join(dir, 'bin', 'mapserv-slow'),
    `#!/bin/sh\necho start >> '${log}'\nsleep 0.3\n/usr/bin/mapserv\necho end >> '${log}'\n`,
  );
  await chmod(join(dir, 'bin', 'mapserv-slow'), 0o755);
  useMapServerConfig(t, join(dir, 'mapserver.conf'));
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const responses = await Promise.all(
    [-180, -60, 60].map((minx) =>
      fetch(
        `${server.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&SRS=EPSG:4326&BBOX=${String(minx)},-90,${String(minx + 120)},90&WIDTH=60&HEIGHT=90&LAYERS=direct&STYLES=&FORMAT=image/png`,
      ),
    ),
  );
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 200, 200],
  );
  const events = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  let running = 0;
  let most = 0;
  for (const event of events) {
    running += event === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  assert.equal(events.length, 6);
  assert.equal(most, 1, events.join(' '));
});
