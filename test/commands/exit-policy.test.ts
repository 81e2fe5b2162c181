/**
 * The exit-code policy of README's table, command by command: one failure of each kind each
 * command can meet, run in-process, with its exit code and the first line it writes to stderr.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

const config = (name: string): string => join(FIXTURES_DIR, 'config', name);
const VALID = config('valid.yaml');
const BROKEN = config('unknown-ref.yaml');
// the first error of unknown-ref.yaml, as every command reports it
const BROKEN_LINE = /^error: .*unknown-ref\.yaml:17:13 caches\.osm_cache\.grids\[0\]: unknown grid "webmerc"/;
// nothing listens on port 9
const DEAD_URL = 'http://127.0.0.1:9';

/** seed's fixture in a fresh directory, its upstream unreachable. */
async function seedDir(t: TestContext): Promise<string> {
  const dir = await makeTempDir(t, 'exit-policy-seed-');
  for (const f of ['seed.yaml', 'world.geojson', 'area.wkt']) await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', DEAD_URL));
  await writeFile(join(dir, 'one.yaml'), 'seeds:\n  one:\n    caches: [world_cache]\n    levels: [0]\n');
  return dir;
}

/** export's fixture in a fresh directory (empty cache, unreachable upstream). */
async function exportDir(t: TestContext): Promise<string> {
  const dir = await makeTempDir(t, 'exit-policy-export-');
  const yaml = await readFile(join(FIXTURES_DIR, 'export/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', DEAD_URL));
  return dir;
}

const EXPORT = ['export', '-f', 'mapproxy.yaml', '--grid', 'GLOBAL_WEBMERCATOR', '--source', 'osm_cache', '--levels', '0', '-q'];

/** A port something already listens on. */
async function busyPort(t: TestContext): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

interface Setup {
  readonly args: string[];
  readonly cwd?: string;
}

interface Case {
  readonly kind: 'usage' | 'config' | 'not-found' | 'refused' | 'failed';
  readonly exit: number;
  /** The first stderr line; `stdout` instead where MapProxy prints the message there. */
  readonly first: RegExp;
  readonly stdout?: boolean;
  readonly run: (t: TestContext) => Setup | Promise<Setup>;
}

const CASES: Record<string, readonly Case[]> = {
  check: [
    { kind: 'usage', exit: 2, first: /^error: missing configuration: check mapproxy\.yaml/, run: () => ({ args: ['check'] }) },
    { kind: 'config', exit: 2, first: BROKEN_LINE, run: () => ({ args: ['check', '-f', BROKEN] }) },
  ],
  create: [
    { kind: 'usage', exit: 2, first: /^error: unknown template nope \(known: base-config/, run: () => ({ args: ['create', '-t', 'nope', 'x'] }) },
    {
      kind: 'refused',
      exit: 1,
      first: /^error: .*log\.ini already exists, use --force$/,
      run: async (t) => {
        const file = join(await makeTempDir(t), 'log.ini');
        await writeFile(file, 'mine');
        return { args: ['create', '-t', 'log-ini', file] };
      },
    },
  ],
  'defrag-compact-cache': [
    { kind: 'usage', exit: 2, first: /^error: missing required option --mapproxy-conf$/, run: () => ({ args: ['defrag-compact-cache'] }) },
    { kind: 'config', exit: 2, first: BROKEN_LINE, run: () => ({ args: ['defrag-compact-cache', '-f', BROKEN] }) },
    { kind: 'not-found', exit: 1, first: /^error: unknown caches: nope$/, run: () => ({ args: ['defrag-compact-cache', '-f', VALID, '--caches', 'nope'] }) },
  ],
  export: [
    { kind: 'usage', exit: 2, first: /^error: unsupported --type png \(supported: /, run: async (t) => ({ args: [...EXPORT, '--dest', 'out', '--type', 'png'], cwd: await exportDir(t) }) },
    { kind: 'config', exit: 2, first: BROKEN_LINE, run: () => ({ args: [...EXPORT.map((a) => (a === 'mapproxy.yaml' ? BROKEN : a)), '--dest', 'out'] }) },
    {
      kind: 'not-found',
      exit: 1,
      first: /^error: unknown --grid nope \(known: GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, utm32\)$/,
      run: async (t) => ({ args: [...EXPORT.map((a) => (a === 'GLOBAL_WEBMERCATOR' ? 'nope' : a)), '--dest', 'out'], cwd: await exportDir(t) }),
    },
    {
      kind: 'refused',
      exit: 1,
      first: /^error: destination .*out exists, remove first or use --force$/,
      run: async (t) => {
        const cwd = await exportDir(t);
        await mkdir(join(cwd, 'out'));
        return { args: [...EXPORT, '--dest', 'out'], cwd };
      },
    },
    {
      kind: 'failed',
      exit: 1,
      first: /^error: tile \(0, 0, 0\): /,
      // the five retries back off from 10 ms instead of 1 s (31 s of waiting)
      run: async (t) => ({ args: [...EXPORT, '--dest', 'out', '--fetch-missing-tiles', '--retry-delay', '10'], cwd: await exportDir(t) }),
    },
  ],
  // grids and scales exit as MapProxy 1.15 does (captured): 1 for usage errors too
  grids: [
    { kind: 'usage', exit: 1, first: /^error: give a MapProxy configuration with -f mapproxy\.yaml$/, run: () => ({ args: ['grids'] }) },
    { kind: 'config', exit: 2, first: /^ERROR: {2}No such file or directory: '.*nope\.yaml'$/, run: () => ({ args: ['grids', '-f', 'nope.yaml'] }) },
    { kind: 'not-found', exit: 1, first: /^grid not found: nope$/, stdout: true, run: () => ({ args: ['grids', '-f', VALID, '-g', 'nope'] }) },
  ],
  scales: [
    { kind: 'usage', exit: 1, first: /^error: could not convert string to float: 'abc'$/, run: () => ({ args: ['scales', 'abc'] }) },
  ],
  seed: [
    { kind: 'usage', exit: 2, first: /^error: option --duration: invalid duration value: 'soon'/, run: () => ({ args: ['seed', '-f', VALID, '--duration', 'soon', 'seed.yaml'] }) },
    { kind: 'config', exit: 2, first: BROKEN_LINE, run: async (t) => ({ args: ['seed', '-f', BROKEN, '-s', 'seed.yaml', '--summary'], cwd: await seedDir(t) }) },
    { kind: 'not-found', exit: 1, first: /^error: unknown seed tasks: nope$/, run: async (t) => ({ args: ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'nope'], cwd: await seedDir(t) }) },
    {
      kind: 'failed',
      exit: 1,
      first: /^error: 1 meta tile\(s\) could not be created:$/,
      run: async (t) => ({ args: ['seed', '-f', 'mapproxy.yaml', '-s', 'one.yaml', '--retries', '0', '-q'], cwd: await seedDir(t) }),
    },
  ],
  serve: [
    { kind: 'config', exit: 2, first: BROKEN_LINE, run: () => ({ args: ['serve', BROKEN, '-b', '127.0.0.1:0'] }) },
    { kind: 'failed', exit: 1, first: /^error: cannot load nope\.js: /, run: () => ({ args: ['serve', 'nope.js', '-b', '127.0.0.1:0'] }) },
  ],
  'serve-develop': [
    { kind: 'config', exit: 2, first: /^error: nope\.yaml: file not found$/, run: () => ({ args: ['serve-develop', 'nope.yaml', '-b', '127.0.0.1:0'] }) },
    {
      kind: 'failed',
      exit: 1,
      first: /^error: cannot listen on 127\.0\.0\.1:\d+: /,
      run: async (t) => ({ args: ['serve-develop', VALID, '-b', `127.0.0.1:${await busyPort(t)}`] }),
    },
  ],
  'serve-multiapp-develop': [
    { kind: 'usage', exit: 2, first: /^error: \/nonexistent\/projects is not a directory$/, run: () => ({ args: ['serve-multiapp-develop', '/nonexistent/projects'] }) },
    {
      kind: 'config',
      exit: 2,
      first: /^error: cannot read log configuration nope\.ini: /,
      run: () => ({ args: ['serve-multiapp-develop', join(FIXTURES_DIR, 'config'), '--log-config', 'nope.ini'] }),
    },
  ],
  'wms-capabilities': [
    { kind: 'usage', exit: 2, first: /^error: give the WMS capabilities URL$/, run: () => ({ args: ['wms-capabilities'] }) },
    { kind: 'failed', exit: 1, first: /^error: No response from URL "http:\/\/127\.0\.0\.1:9\/wms\?service=WMS/, run: () => ({ args: ['wms-capabilities', `${DEAD_URL}/wms`] }) },
  ],
};

for (const [command, cases] of Object.entries(CASES)) {
  for (const c of cases) {
    test(`${command}: a ${c.kind} failure exits ${c.exit} and says so first`, async (t) => {
      const { args, cwd } = await c.run(t);
      const result = await runCommand(args, { cwd });
      assert.equal(result.code, c.exit, result.stderr);
      const firstLine = (c.stdout === true ? result.stdout : result.stderr).split('\n')[0];
      assert.match(firstLine ?? '', c.first, result.stderr);
    });
  }
}

test('every usage error names its fix: the help of the command', async () => {
  const result = await runCommand(['seed', '-f', VALID]);
  assert.equal(result.code, 2);
  assert.deepEqual(result.stderr.split('\n'), [
    'error: missing seed_conf file as last argument or --seed-conf option',
    'hint: see `mapproxy-util seed --help`',
    '',
  ]);
});
