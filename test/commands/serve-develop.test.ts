/**
 * `mapproxy-util serve-develop`: messages and exit codes, and the README's offline example served
 * by bin/dev.js as a user starts it; serving itself is in test/system.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pixelAt } from '../helpers/upstream.js';
import { DEV_BIN, runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { atTestEnd } from '../helpers/test-end.js';

test('a broken configuration prints every problem with its position and exits 2', async () => {
  const result = await runCommand([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'unknown-ref.yaml'),
    '-b',
    '127.0.0.1:0',
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /unknown-ref\.yaml:17:13 caches\.osm_cache\.grids\[0\]: unknown grid "webmerc"/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test("a configuration whose grid cannot be built exits 2 with the grid's position", async () => {
  const result = await runCommand([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'grid-without-bbox.yaml'),
    '-b',
    '127.0.0.1:0',
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /grid-without-bbox\.yaml:14:5 grids\.utm32\.bbox: grid utm32: need a bbox for grid with EPSG:25832/,
  );
});

test('an unusable --bind value says what is expected and exits 1', async () => {
  const result = await runCommand([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'valid.yaml'),
    '-b',
    'localhost:http',
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /invalid --bind value "localhost:http": expected PORT, HOST or HOST:PORT/);
});

test('--help explains the bind forms and shows examples', async () => {
  const result = await runCommand(['serve-develop', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /-b, --bind=<value>/);
  assert.match(result.stdout, /EXAMPLES/);
});

test('node bin/dev.js (no --import tsx) serves the example, WMS reprojection on worker threads included', async (t) => {
  const dir = await makeTempDir(t);
  await copyFile(
    fileURLToPath(new URL('../../examples/mapproxy.yaml', import.meta.url)),
    join(dir, 'mapproxy.yaml'),
  );
  // started as a user does: plain node, another cwd; the worker threads must still load TypeScript
  const child = spawn(process.execPath, [DEV_BIN, 'serve-develop', 'mapproxy.yaml', '-b', '127.0.0.1:0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  atTestEnd(t, () => child.kill());
  let output = '';
  const streams = { stdout: '', stderr: '' };
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (stream: keyof typeof streams) => (chunk: Buffer) => {
      output += chunk.toString();
      streams[stream] += chunk.toString();
      const match = /Running on (http:\/\/\S+?)\/ /.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    child.once('exit', (code) => {
      reject(new Error(`serve-develop exited with ${String(code)}:\n${output}`));
    });
  });
  const query =
    'SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=debug&STYLES=&FORMAT=image%2Fpng&WIDTH=256&HEIGHT=256';
  for (const srs of ['SRS=EPSG:4326&BBOX=5,45,15,55', 'SRS=EPSG:25832&BBOX=300000,5300000,900000,5900000']) {
    const res = await fetch(`${url}/service?${query}&${srs}`);
    assert.equal(res.status, 200, srs);
    assert.equal(res.headers.get('content-type'), 'image/png', srs);
    await pixelAt(Buffer.from(await res.arrayBuffer()), 128, 128);
  }
  assert.equal((await fetch(`${url}/demo/`)).status, 200);
  assert.equal(child.exitCode, null, `the server is still running:\n${output}`);
  // as MapProxy's dev server: its log on stdout, werkzeug's start and request lines on stderr
  while (!streams.stderr.includes('"GET /demo/ HTTP/1.1" 200')) await once(child.stderr, 'data');
  assert.match(streams.stdout, /^\[[\d-]+ [\d:,]+\] mapproxy\.config - INFO - reading: /m);
  assert.match(
    streams.stderr,
    /^\[info\] {2}\* Running on http:\/\/127\.0\.0\.1:\d+\/ \(Press CTRL\+C to quit\)$/m,
  );
  assert.doesNotMatch(streams.stdout, /Running on|HTTP\/1\.1/);
  assert.doesNotMatch(streams.stderr, /mapproxy\.config/);
});
