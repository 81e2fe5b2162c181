/**
 * `mapproxy-util check` through the real CLI: messages with file:line:column, exit codes,
 * and no stack traces for configuration problems.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

const fixture = (name: string): string => join(FIXTURES_DIR, 'config', name);
/** How the CLI shows a file: relative to its cwd (the test's cwd). */
const shown = (name: string): string => relative(process.cwd(), fixture(name));

function assertNoStack(output: string): void {
  assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?\n/);
  assert.doesNotMatch(output, /ConfigErrors|node:internal/);
}

test('a clean configuration prints one OK line and exits 0', async () => {
  const result = await runCommand(['check', '-f', fixture('valid.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `OK ${fixture('valid.yaml')} (3 layers, 2 caches, 1 source, 1 grid)\n`);
  assert.equal(result.stderr, '');
});

test('a clean configuration with a seed file summarises both', async () => {
  const result = await runCommand(['check', '-f', fixture('valid.yaml'), '-s', fixture('seed-valid.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /\(3 layers, 2 caches, 1 source, 1 grid\), .*seed-valid\.yaml \(1 seed, 1 cleanup, 1 coverage\)\n$/,
  );
});

test('an unknown key is a warning with a suggestion, exit 0', async () => {
  const result = await runCommand(['check', '-f', fixture('unknown-key.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stderr,
    `warning: ${shown('unknown-key.yaml')}:5:5 globals.cache.meta_sise: unknown key 'meta_sise' (did you mean 'meta_size'?)\n`,
  );
  assert.match(result.stdout, /^OK .*unknown-key\.yaml \(1 layer, 1 cache, 1 source, 0 grids\)\n$/);
});

test("keys outside MapProxy's spec that we read (sqlite globals, an arcgis source's transparency) are not called unknown", async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'mapproxy.yaml');
  // MapProxy warns about all five and still reads them; so do we, so they are no unknown keys
  await writeFile(
    file,
    `services: {wms: }
globals:
  cache: {sqlite_wal: false, sqlite_timeout: 5}
layers:
  - {name: a, title: a, sources: [arc]}
sources:
  arc:
    type: arcgis
    transparent: true
    image: {transparent: true, opacity: 0.5, resampling_method: nearest, colors: 16}
    req: {url: 'http://127.0.0.1:9/arcgis/rest/services/x/MapServer'}
`,
  );
  const result = await runCommand(['check', '-f', file]);
  assert.equal(result.code, 0, result.stderr);
  // an image key an arcgis source does not read stays unknown
  assert.match(result.stderr, /^warning: .*:10:74 sources\.arc\.image\.colors: unknown key 'colors'\n$/);
});

const broken: [string, string[]][] = [
  ['syntax-error.yaml', [':5:1: YAML syntax error: ']],
  [
    'wrong-type.yaml',
    [
      ':5:18 globals.cache.meta_buffer: expected a number, got "lots"',
      ':14:12 caches.osm_cache.grids: expected a list of strings, got "GLOBAL_WEBMERCATOR"',
    ],
  ],
  [
    'missing-key.yaml',
    [
      ":7:7 sources.osm_wms.req: missing required key 'url'",
      ":9:5 sources.osm_tiles: missing required key 'type'",
      ":12:5 caches.osm_cache: missing required key 'sources'",
    ],
  ],
  [
    'unknown-ref.yaml',
    [
      ':17:13 caches.osm_cache.grids[0]: unknown grid "webmerc" (known: GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, utm32)',
      ':18:15 caches.osm_cache.sources[0]: unknown source or cache "osm_wmss" (did you mean \'osm_wms\'?) (known sources: osm_wms; caches: osm_cache)',
      ':22:15 layers[0].sources[0]: unknown source or cache "osm_cach" (did you mean \'osm_cache\'?) (known sources: osm_wms; caches: osm_cache)',
    ],
  ],
  ['grid-without-bbox.yaml', [':14:5 grids.utm32.bbox: grid utm32: need a bbox for grid with EPSG:25832']],
  [
    'missing-base.yaml',
    [`:2:5 base[0]: base file "common.yaml" not found (looked for ${fixture('common.yaml')})`],
  ],
];

for (const [name, messages] of broken) {
  test(`${name}: every problem with file:line:column, exit 2`, async () => {
    const result = await runCommand(['check', '-f', fixture(name)]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
    assert.equal(errorLines.length, messages.length, result.stderr);
    messages.forEach((message, i) => {
      const line = errorLines[i] ?? '';
      assert.ok(
        line.startsWith(`error: ${shown(name)}${message}`),
        `${line}\n  expected to start with\nerror: ${shown(name)}${message}`,
      );
    });
    assert.match(result.stderr, new RegExp(`configuration invalid: ${messages.length} errors?\\n$`));
    assertNoStack(result.stderr);
  });
}

test('a broken seed.yaml is reported against its own file, exit 2', async () => {
  const result = await runCommand([
    'check',
    '-f',
    fixture('valid.yaml'),
    '-s',
    fixture('seed-bad-refs.yaml'),
  ]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    [
      `error: ${shown('seed-bad-refs.yaml')}:3:25 seeds.all.caches[1]: unknown cache "rods_cache" (did you mean 'roads_cache'?) (known: osm_cache, roads_cache)`,
      `error: ${shown('seed-bad-refs.yaml')}:4:17 seeds.all.coverages[0]: unknown coverage "germani" (did you mean 'germany'?) (known: germany)`,
      `error: ${shown('seed-bad-refs.yaml')}:8:13 cleanups.old.grids[0]: grid "GLOBAL_MERCATOR" is not defined for cache osm_cache`,
      'configuration invalid: 3 errors',
      '',
    ].join('\n'),
  );
});

test('a seed.yaml with a wrong type, exit 2', async () => {
  const result = await runCommand(['check', '-f', fixture('valid.yaml'), '-s', fixture('seed-broken.yaml')]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^error: .*seed-broken\.yaml:4:13 seeds\.all\.levels: expected a list of integers or a mapping, got "many"\n/,
  );
  assertNoStack(result.stderr);
});

test('a missing file is a clear message, exit 2', async () => {
  const result = await runCommand(['check', '-f', 'does-not-exist.yaml']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'error: does-not-exist.yaml: file not found\nconfiguration invalid: 1 error\n');
});

test('base: naming a file that is no configuration is refused without printing its lines, exit 2', async (t) => {
  const dir = await makeTempDir(t);
  // parses as a mapping (like /proc/meminfo), with a duplicate key and a $VAR that would each warn
  await writeFile(join(dir, 'secrets'), 'db_password: hunter2\ndb_password: s3cret\nMemTotal: $HOME kB\n');
  await writeFile(join(dir, 'mapproxy.yaml'), 'base: secrets\nservices:\n  demo:\n');
  const result = await runCommand(['check', '-f', join(dir, 'mapproxy.yaml')]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: \S*mapproxy\.yaml:1:7 base: base file "secrets" is not a MapProxy configuration \(it has none of the keys [^\n]*\)\nconfiguration invalid: 1 error\n$/,
  );
  assert.doesNotMatch(result.stdout + result.stderr, /hunter2|s3cret|db_password|MemTotal/);
});

test('an alias bomb is a configuration error, not an exhausted memory, exit 2', async (t) => {
  const dir = await makeTempDir(t);
  const lines = ['services:', '  demo:', 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  await writeFile(join(dir, 'mapproxy.yaml'), `${lines.join('\n')}\n`);
  const result = await runCommand(['check', '-f', join(dir, 'mapproxy.yaml')]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /^error: \S*mapproxy\.yaml:\d+:\d+ l\d\[\d\]: aliases expand to more than 100000 values/,
  );
  assertNoStack(result.stderr);
});

test('bytes that are no UTF-8 and an unknown YAML tag are refused at their line and column, exit 2', async (t) => {
  const dir = await makeTempDir(t);
  const layers = 'layers:\n  - name: l\n    title: L\n    sources: [s]\n';
  // a title saved as Latin-1 ("café" as 63 61 66 e9): it became "caf\uFFFD" in the capabilities
  const latin1 = Buffer.concat([
    Buffer.from('services:\n  wms:\n    md:\n      title: caf'),
    Buffer.from([0xe9]),
    Buffer.from(`\n${layers}sources:\n  s: {type: debug}\n`),
  ]);
  await writeFile(join(dir, 'latin1.yaml'), latin1);
  // `!env` is no YAML of MapProxy's: the URL was the bare string "UPSTREAM"
  const tagged = `services:\n  wms:\n${layers}sources:\n  s:\n    type: wms\n    req:\n      url: !env UPSTREAM\n      layers: x\n`;
  await writeFile(join(dir, 'tagged.yaml'), tagged);
  for (const [file, message] of [
    ['latin1.yaml', /^error: \S*latin1\.yaml:4:17: not UTF-8: byte 0xe9; save the file as UTF-8/],
    [
      'tagged.yaml',
      /^error: \S*tagged\.yaml:11:12: unknown YAML tag !env: MapProxy's YAML loader refuses it/,
    ],
  ] as const) {
    const result = await runCommand(['check', '-f', join(dir, file)]);
    assert.equal(result.code, 2, `${file}: ${result.stdout}`);
    assert.match(result.stderr, message);
    assertNoStack(result.stderr);
  }
});

test('a configuration saved as UTF-16 with a byte order mark is read, as MapProxy reads it', async (t) => {
  const dir = await makeTempDir(t);
  const text =
    'services:\n  demo:\nlayers:\n  - name: l\n    title: Straße\n    sources: [s]\nsources:\n  s: {type: debug}\n';
  await writeFile(join(dir, 'utf16.yaml'), Buffer.from(`\uFEFF${text}`, 'utf16le'));
  const result = await runCommand(['check', '-f', join(dir, 'utf16.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^OK \S*utf16\.yaml \(1 layer, 0 caches, 1 source, 0 grids\)\n$/);
});

test('a num_levels below 0 or beyond 1000 is an error at its key, exit 2', async (t) => {
  const dir = await makeTempDir(t);
  for (const levels of ['-3', '1000000000']) {
    // -3 made a grid of one level; 1e9 was "1:1: cannot build this configuration: Invalid array length"
    const yaml = `services:\n  demo:\nlayers:\n  - name: l\n    title: l\n    sources: [c]\ncaches:\n  c:\n    grids: [g]\n    sources: [s]\nsources:\n  s: {type: debug}\ngrids:\n  g:\n    base: GLOBAL_WEBMERCATOR\n    num_levels: ${levels}\n`;
    await writeFile(join(dir, 'mapproxy.yaml'), yaml);
    const result = await runCommand(['check', '-f', join(dir, 'mapproxy.yaml')]);
    assert.equal(result.code, 2, `${levels}: ${result.stdout}`);
    assert.match(
      result.stderr,
      new RegExp(
        `^error: \\S*mapproxy\\.yaml:16:17 grids\\.g\\.num_levels: grid g: invalid num_levels ${levels}: expected 1 to 1000 \\(or 0 for the default\\)\n`,
      ),
    );
  }
});

test('--help shows usage and examples', async () => {
  const result = await runCommand(['check', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /-f, --mapproxy-conf=<value>/);
  assert.match(result.stdout, /-s, --seed-conf=<value>/);
  assert.match(result.stdout, /EXAMPLES\n\s+\$ mapproxy-util check mapproxy.yaml/);
});

test('the configuration may be given as an argument instead of -f', async () => {
  const result = await runCommand(['check', fixture('valid.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `OK ${fixture('valid.yaml')} (3 layers, 2 caches, 1 source, 1 grid)\n`);
  const none = await runCommand(['check']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing configuration: check mapproxy\.yaml \(or -f mapproxy\.yaml\)/);
});

test('a configuration file over 10 MB is refused before it is parsed, exit 2', async (t) => {
  const dir = await makeTempDir(t);
  // 11 MB of valid YAML: 70000 layers would take check over 10 s and a gigabyte (47 MB: 56 s, 2.6 GB)
  const layer =
    '  - name: l\n    title: a layer whose title makes it about 160 bytes long, as titles do\n    sources: [s]\n';
  const yaml = `services:\n  demo:\nsources:\n  s: {type: debug}\nlayers:\n${layer.repeat(Math.ceil((11 * 1024 * 1024) / layer.length))}`;
  await writeFile(join(dir, 'huge.yaml'), yaml);
  for (const args of [
    ['check', '-f', join(dir, 'huge.yaml')],
    ['check', '-f', join(FIXTURES_DIR, 'config', 'valid.yaml'), '-s', join(dir, 'huge.yaml')],
  ]) {
    const result = await runCommand(args);
    assert.equal(result.code, 2, result.stdout);
    assert.match(
      result.stderr,
      /huge\.yaml: 11 MB is more than a configuration file may have \(10 MB\); is it the right file\? Split a larger configuration into files joined with base:/,
    );
    assertNoStack(result.stderr);
  }
});
