/**
 * CLI habits an operator relies on (issue 11): examples in every `--help`, `seed -n` saying it is
 * a dry run, MapProxy's task summary before a task starts, NO_COLOR on a terminal, MapProxy's
 * access line shape, and install facts (engines, LICENSE in the package, the Dockerfile's paths).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatLogRecord, onLog, configureLogging, type LogRecord } from '../../src/core/util/index.js';
import { CLI_ARGV, runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface SemVer {
  readonly version: string;
}
/** npm's own range logic (semver, which @oclif/core depends on; it ships no types of its own). */
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): SemVer | null;
  satisfies(version: string | SemVer, range: string): boolean;
};
const MAPPROXY = join(FIXTURES_DIR, 'mapproxy-1.15');

async function seedFixtureDir(t: TestContext): Promise<string> {
  const dir = await makeTempDir(t, 'habits-');
  for (const f of ['seed.yaml', 'world.geojson', 'area.wkt']) await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  // nothing listens on port 9: a dry run must never reach the upstream
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', 'http://127.0.0.1:9'));
  return dir;
}

test('mapproxy-util --help lists every command with its summary', async () => {
  const commands = (await readdir(join(ROOT, 'src/commands'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const result = await runCommand(['--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^USAGE\n {2}\$ mapproxy-util \[COMMAND\]$/m);
  for (const file of commands) assert.match(result.stdout, new RegExp(`^ {2}${file.slice(0, -3)} +\\S`, 'm'), file);
});

test('every command shows examples in --help', async () => {
  const commands = (await readdir(join(ROOT, 'src/commands')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3));
  assert.ok(commands.length >= 10, commands.join(', '));
  for (const command of commands) {
    const result = await runCommand([command, '--help']);
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`EXAMPLES\\n\\s+\\$ mapproxy-util ${command} `), command);
  }
});

test('seed -n says it is a dry run and prints neither a rate nor an ETA', async (t) => {
  const dir = await seedFixtureDir(t);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'world', '-n'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^dry run: tiles are counted, nothing is fetched or written$/m);
  assert.match(result.stdout, /^ {2}level \d+ [\d.]+% \d+ tiles \(dry run\)$/m, 'a progress line');
  assert.match(result.stdout, /341 tiles, 0 removed, 0 failed would be written \(dry run, nothing written\)$/m);
  assert.doesNotMatch(result.stdout, /tiles\/s|ETA|in \d+\.\ds/);
});

// --seed is repeatable as MapProxy's (action append): `--seed world --seed europe` printed the
// capture's lines with MapProxy 1.15 by hand; ours refused the second --seed (exit 2)
for (const select of [['world,europe'], ['world', '--seed', 'europe']]) {
  test(`seed prints MapProxy's heading, task count and each task's summary before the task starts (--seed ${select.join(' ')})`, async (t) => {
    const dir = await seedFixtureDir(t);
    const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', ...select, '-n'], {
      cwd: dir,
    });
    assert.equal(result.code, 0, result.stderr);
    const ours = result.stdout.split('\n');
    // MapProxy's lines without its progress lines; ours without our additions (dry run note, task
    // counter, tile counts per level, progress and end lines)
    const theirs = (await readFile(join(MAPPROXY, 'seed-summary/world-europe-dry-run.stdout'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('[TIMESTAMP]'));
    const ADDED = /^(dry run: |\[\d+\/\d+\] | {4}Level \d+: | {2}level \d+ | {2}seed \w+: )/;
    assert.deepEqual(ours.filter((l) => l !== '' && !ADDED.test(l)), theirs);
    for (const task of ['world', 'europe']) {
      const summary = ours.indexOf(`  ${task}:`);
      const end = ours.findIndex((l) => l.startsWith(`  seed ${task}: `));
      assert.ok(summary >= 0 && summary < end, `${task}: summary (line ${summary}) before its end line (${end})`);
    }
  });
}

test("seed --summary prints a task's time as MapProxy: local time, microseconds only when there are some", async (t) => {
  const dir = await seedFixtureDir(t);
  await writeFile(
    join(dir, 'times.yaml'),
    `seeds:
  world:
    caches: [world_cache]
    levels: [0]
    refresh_before: {time: '2010-01-01T00:00:00'}
  world_mtime:
    caches: [world_cache]
    levels: [0]
    refresh_before: {mtime: ref.txt}
  world_days:
    caches: [world_cache]
    levels: [0]
    refresh_before: {days: 1}
cleanups:
  old:
    caches: [world_cache]
    levels: [1]
    remove_before: {time: '2010-01-01T12:30:00'}
`,
  );
  await writeFile(join(dir, 'ref.txt'), '');
  // 2011-05-06 07:08:09.123456 local time, as `touch -d` set it for MapProxy's run
  const mtime = new Date(2011, 4, 6, 7, 8, 9).getTime() / 1000 + 0.123456;
  await utimes(join(dir, 'ref.txt'), mtime, mtime);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'times.yaml', '--summary'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  // MapProxy 1.15 by hand (the same files; under TZ=UTC and TZ=Europe/Berlin alike, as the
  // times in seed.yaml and the mtime are local): we printed 2010-01-01T00:00:00.000Z; a relative
  // time is whole seconds (MapProxy's timestamp_before: seeding differential --more, seed 17)
  const lines = result.stdout.split('\n').filter((l) => /Overwriting|Remove/.test(l));
  assert.deepEqual(lines.toSpliced(2, 1), [
    '    Overwriting: tiles older than 2010-01-01 00:00:00',
    '    Overwriting: tiles older than 2011-05-06 07:08:09.123456',
    '    Remove: tiles older than 2010-01-01 12:30:00',
  ]);
  assert.match(lines[2] ?? '', /^ {4}Overwriting: tiles older than \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('seed --summary: a refresh_before on a cache without timestamps overwrites all tiles (MapProxy 1.15)', async (t) => {
  const dir = await makeTempDir(t, 'habits-');
  await writeFile(
    join(dir, 'mapproxy.yaml'),
    `services: {tms: {}}
layers: [{name: f, title: f, sources: [f]}]
caches:
${['f: {type: file}', 's: {type: sqlite}', 'm: {type: mbtiles}', 'c: {type: compact, version: 2}']
  .map((c) => `  ${c.split(':')[0]!}: {grids: [GLOBAL_WEBMERCATOR], sources: [w], cache: ${c.slice(3)}}`)
  .join('\n')}
sources:
  w: {type: wms, req: {url: 'http://127.0.0.1:9/service', layers: x}}
`,
  );
  await writeFile(
    join(dir, 'seed.yaml'),
    "seeds:\n  refresh:\n    caches: [f, s, m, c]\n    levels: [0]\n    refresh_before: {time: '2010-01-01T00:00:00'}\n",
  );
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--summary'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  // MapProxy 1.15 by hand, the same files (we printed the time for all four)
  assert.deepEqual(
    result.stdout.split('\n').filter((l) => /Overwriting/.test(l)),
    [
      '    Overwriting: tiles older than 2010-01-01 00:00:00',
      '    Overwriting: tiles older than 2010-01-01 00:00:00',
      '    Overwriting: all tiles',
      '    Overwriting: all tiles',
    ],
  );
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * The seed CLI on a pseudo-terminal 100 columns wide (ora then draws its spinner); stdout as bytes.
 * script(1) runs the command with $SHELL; with /bin/sh (dash) `timeout` puts the CLI in a
 * background process group of that terminal, as `mapproxy-seed ... &` in a shell does.
 */
async function seedOnTerminal(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const cli = [process.execPath, ...CLI_ARGV, 'seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'world', '-n']
    .map((a) => `'${a}'`)
    .join(' ');
  const child = spawn('script', ['-qec', `stty cols 100 rows 40; timeout -s KILL 60 ${cli}`, '/dev/null'], {
    cwd: dir,
    env: { ...env, SHELL: '/bin/sh' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const text = Buffer.concat(chunks).toString('utf8');
  assert.equal(code, 0, text);
  return text;
}

// the background process group also pins that the spinner leaves the terminal's mode alone: ora's
// stdin discarder made the CLI stop on SIGTTOU there (killed after 60 s)
test('NO_COLOR: on a terminal the seed spinner draws no colours; without it, it does', { skip: !hasScript && 'needs script(1) from util-linux' }, async (t) => {
  const dir = await seedFixtureDir(t);
  const base: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  delete base.CI;
  // ESC [ 30-39 / 90-99 m: a foreground colour
  const SGR_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[(3\\d|9\\d)m`);
  const coloured = await seedOnTerminal(dir, base);
  assert.match(coloured, SGR_COLOUR, 'colours without NO_COLOR (else this test could not fail)');
  assert.match(coloured, /world_cache \/ GLOBAL_WEBMERCATOR: 23 meta tiles/);
  const plain = await seedOnTerminal(dir, { ...base, NO_COLOR: '1' });
  assert.match(plain, /world_cache \/ GLOBAL_WEBMERCATOR: 23 meta tiles/);
  assert.doesNotMatch(plain, SGR_COLOUR);
});

test("the access line is MapProxy's development server line, with the body size and duration for werkzeug's '-'", async (t) => {
  configureLogging({ level: 'info', stdout: false });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  t.after(() => {
    configureLogging();
  });
  const proxy = await startProxy(t, 'mapproxy-1.15/access-log/mapproxy.yaml');
  const sizes: number[] = [];
  for (const path of ['/tms/1.0.0/?x=1', '/nothing-here']) sizes.push((await (await fetch(`${proxy.url}${path}`)).arrayBuffer()).byteLength);
  const ours = records
    .filter((r) => r.name === 'mapproxy.access')
    .map((r) => formatLogRecord(r).replace(/\[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\]/, '[TIMESTAMP]'));
  const theirs = (await readFile(join(MAPPROXY, 'access-log/serve-develop.stderr'), 'utf8')).trimEnd().split('\n');
  assert.equal(ours.length, theirs.length, ours.join('\n'));
  for (const [i, line] of theirs.entries()) {
    assert.ok(line.endsWith(' -'), line);
    assert.equal(ours[i], `${line.slice(0, -1)}${String(sizes[i])} ${/ (\d+ms)$/.exec(ours[i] ?? '')?.[1] ?? '?'}`);
  }
  assert.equal(sizes[1], 9, "the 404 body is MapProxy's 9 bytes");
});

test("the oldest Node package.json's engines allows satisfies every locked dependency's engines (npm ci warns otherwise)", async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
  };
  const ours = pkg.engines.node;
  const oldest = semver.minVersion(ours);
  assert.ok(oldest !== null, ours);
  // the versions npm checks are the running one; ours must run on the oldest it admits
  const tooNarrow = Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, entry]) => {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return node === undefined || semver.satisfies(oldest, node) ? [] : [`${path} needs node ${node}`];
    });
  assert.deepEqual(tooNarrow, [], `engines.node ${ours} admits ${oldest.version}`);
  assert.ok(semver.satisfies(process.version, ours), `this Node ${process.version} satisfies ${ours}`);
});

test('the package carries LICENSE and README; the Dockerfile copies and links only what exists', async () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  const files = ((JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]?.files ?? []).map((f) => f.path);
  for (const file of ['LICENSE', 'README.md', 'package.json', 'bin/run.js', 'bin/seed.js']) assert.ok(files.includes(file), file);

  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
  assert.ok(copied.length >= 5, copied.join(' '));
  for (const path of copied) assert.ok(existsSync(join(ROOT, path)), `COPY ${path}`);
  for (const [, target] of dockerfile.matchAll(/ln -s \/app\/(\S+)/g)) assert.ok(existsSync(join(ROOT, target ?? '')), target);
  assert.match(dockerfile, /^USER node$/m, 'runs as a non-root user');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/bin\/run\.js", "serve"\]$/m);
  assert.match(dockerfile, /^VOLUME \["\/etc\/mapproxy", "\/var\/cache\/mapproxy"\]$/m);
  const scripts = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const [, script] of dockerfile.matchAll(/npm run (\S+)/g)) assert.ok(script !== undefined && script in scripts, `npm run ${String(script)}`);
});

test("mapproxy-util --version names mapproxy-ts, telling it apart from MapProxy's own", async () => {
  const result = await runCommand(['--version']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^mapproxy-ts\/\d+\.\d+\.\d+ /);
});
