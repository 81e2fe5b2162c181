/**
 * What `create` writes, used as is: the server script under `node app.js` and `mapproxy-util serve`,
 * and the log ini under `--log-config` and in the script, writing MapProxy's documented lines.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { DEV_BIN, isDistCurrent, runCommand } from '../helpers/cli.js';
import { copyFixture } from '../helpers/fixtures.js';
import { closeIdleConnections, startServe } from '../helpers/front-proxy.js';
import { solidPng, startUpstream } from '../helpers/upstream.js';
import { atTestEnd } from '../helpers/test-end.js';

const TSX_API = import.meta.resolve('tsx/esm/api');
const CORE_INDEX = pathToFileURL(join(import.meta.dirname, '../../src/core/index.ts')).href;
const BUILT_INDEX = pathToFileURL(join(import.meta.dirname, '../../dist/core/index.js')).href;
const ASCTIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}`;
const REQUEST_LINE = new RegExp(
  String.raw`^\[${ASCTIME}\] GET http://127\.0\.0\.1:\d+/tiles/1/0/0\.png 200 \d+\.\d (\d+|-)$`,
  'm',
);

/**
 * `node_modules/mapproxy-ts` in `dir`, so `node app.js` runs with plain node: the built dist/ when
 * it is current (as the installed package exports it), otherwise the sources through tsx.
 */
async function installPackageShim(dir: string): Promise<void> {
  const pkg = join(dir, 'node_modules', 'mapproxy-ts');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'mapproxy-ts', type: 'module', exports: './index.js' }),
  );
  await writeFile(
    join(pkg, 'index.js'),
    isDistCurrent()
      ? `export { makeApp, configureLoggingFromIni } from ${JSON.stringify(BUILT_INDEX)};\n`
      : [
          `const { tsImport } = await import(${JSON.stringify(TSX_API)});`,
          `const core = await tsImport(${JSON.stringify(CORE_INDEX)}, import.meta.url);`,
          'export const { makeApp, configureLoggingFromIni } = core;',
          '',
        ].join('\n'),
  );
}

/** Runs `node app.js` on port 0 until the test ends; resolves with its URL. */
async function runScript(t: TestContext, script: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-warnings', script], {
    cwd: dirname(script),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  atTestEnd(t, () => {
    child.kill('SIGKILL');
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // `serve` says `Running on` on stderr, the server script on stdout
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const found = /Running on (http:\/\/\S+?)\//.exec(output)?.[1];
        if (found !== undefined) resolve(found);
      });
    }
    child.once('exit', () => {
      reject(new Error(`node app.js exited:\n${output}`));
    });
  });
  return { url, child };
}

/** Resolves with the file's text once it matches `pattern` (waits on file system events). */
function fileMatching(file: string, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(file));
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} never matched ${String(pattern)}`));
    }, 10_000);
    const check = (): void => {
      readFile(file, 'utf8').then(
        (text) => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          watcher.close();
          resolve(text);
        },
        () => undefined,
      );
    };
    watcher.on('change', check);
    check();
  });
}

async function tileUpstream(t: TestContext) {
  const upstream = await startUpstream(t);
  upstream.expect('/tiles/1/0/0.png', await solidPng([10, 200, 10, 255]));
  return upstream;
}

/** `create -t wsgi-app` for a copy of fixture `name`: the script's path (app.js beside the copy). */
async function createServerScript(
  t: TestContext,
  name = 'deploy/mapproxy.yaml',
  vars: Readonly<Record<string, string>> = {},
): Promise<string> {
  const configFile = await copyFixture(t, name, vars);
  const script = join(dirname(configFile), 'app.js');
  const created = await runCommand(['create', '-t', 'wsgi-app', '-f', configFile, script]);
  assert.equal(created.code, 0, created.stderr);
  return script;
}

test('create -t wsgi-app writes a script that mapproxy-util serve and node app.js run as is', async (t) => {
  const script = await createServerScript(t);
  assert.match(await readFile(script, 'utf8'), /export const application = await mapproxy\.makeApp\(/);

  // serve: no local install needed, `mapproxy-ts` is the serving engine itself
  const served = await startServe(t, [script, '-w', '1']);
  const tile = await fetch(`${served.url}/tms/1.0.0/debug/EPSG3857/0/0/0.png`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'image/png');

  await installPackageShim(dirname(script));
  const { url } = await runScript(t, script);
  const caps = await fetch(`${url}/tms/1.0.0/`);
  assert.equal(caps.status, 200);
  assert.match(
    await caps.text(),
    /<TileMap [^>]*href="http:\/\/127\.0\.0\.1:\d+\/tms\/1\.0\.0\/debug\/EPSG3857"/,
  );
});

test('node bin/dev.js serve app.js: the sources serve a script that imports mapproxy-ts', async (t) => {
  // whether dist/ is current or not, as a developer runs the sources
  const script = await createServerScript(t);
  const served = await startServe(t, [script, '-w', '1'], { cli: [DEV_BIN] });
  const tile = await fetch(`${served.url}/tms/1.0.0/debug/EPSG3857/0/0/0.png`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'image/png');
});

test('node app.js runs with plain node where mapproxy-ts is not installed beside it', async (t) => {
  // the script falls back to the built toolkit that wrote it (npm ci builds dist/)
  if (!existsSync(join(import.meta.dirname, '../../dist/core/index.js'))) {
    if (process.env.CI !== undefined) assert.fail('dist/ is not built (npm run build)');
    t.skip('needs dist/ (npm run build)');
    return;
  }
  const script = await createServerScript(t);
  const { url } = await runScript(t, script);
  const tile = await fetch(`${url}/tms/1.0.0/debug/EPSG3857/0/0/0.png`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'image/png');
});

test('create -t log-ini passed to serve --log-config writes mapproxy.log and source-requests.log', async (t) => {
  const upstream = await tileUpstream(t);
  const configFile = await copyFixture(t, 'deploy/tile-source.yaml', { UPSTREAM_URL: upstream.url });
  const dir = dirname(configFile);
  const ini = join(dir, 'log.ini');
  assert.equal((await runCommand(['create', '-t', 'log-ini', ini])).code, 0);

  const served = await startServe(t, [configFile, '-w', '1', '--log-config', ini]);
  const res = await fetch(`${served.url}/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png`);
  assert.equal(res.status, 200);
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  // the worker drains until the fetch's idle keep-alive connection is gone (~4 s if left open)
  await closeIdleConnections();
  served.child.kill('SIGTERM');
  assert.equal(await exited, 0);

  const requests = await readFile(join(dir, 'source-requests.log'), 'utf8');
  assert.match(requests, REQUEST_LINE);
  const main = await readFile(join(dir, 'mapproxy.log'), 'utf8');
  assert.match(main, new RegExp(`^${ASCTIME} - INFO - mapproxy\\.server - serving on port \\d+`, 'm'));
  assert.doesNotMatch(main, /\/tiles\//, 'propagate=0 keeps request lines out of mapproxy.log');
  assert.doesNotMatch(served.output(), /\/tiles\//, 'no console handler: nothing on stdout');
});

test("the server script's commented logging lines work once uncommented", async (t) => {
  const upstream = await tileUpstream(t);
  const script = await createServerScript(t, 'deploy/tile-source.yaml', { UPSTREAM_URL: upstream.url });
  const dir = dirname(script);
  assert.equal((await runCommand(['create', '-t', 'log-ini', join(dir, 'log.ini')])).code, 0);
  const text = await readFile(script, 'utf8');
  const uncommented = text.replace(/^\/\/ ((import|await) .*)$/gm, '$1');
  assert.notEqual(uncommented, text);
  await writeFile(script, uncommented);
  await installPackageShim(dir);

  const { url } = await runScript(t, script);
  assert.equal((await fetch(`${url}/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png`)).status, 200);
  assert.match(await fileMatching(join(dir, 'source-requests.log'), REQUEST_LINE), REQUEST_LINE);
});
