/**
 * `describeGrids` through the real config loader: error translation and the MapProxy-shaped report.
 * Byte-exact text is checked against MapProxy's output in test/commands/grids.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigError } from '../config/index.js';
import { PyInt } from '../util/index.js';
import { describeGrids } from './describe-grids.js';
import { formatGridsReport } from './format-grids.js';

async function writeConfig(t: TestContext, yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'describe-grids-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(file, yaml);
  return file;
}

const CONFIG = `services:
  demo:
layers:
  - name: l
    title: l
    sources: [c]
caches:
  c:
    grids: [local]
    sources: []
grids:
  local:
    srs: 'EPSG:4326'
    bbox: [0, 0, 10, 10.0]
    origin: nw
    res: [1, 0.5]
  broken:
    srs: 'EPSG:999999'
    bbox: [0, 0, 1, 1]
`;

test('a grid that cannot be built becomes a ConfigError at its YAML key', async (t) => {
  const file = await writeConfig(t, CONFIG);
  const error = await describeGrids({ configFile: file }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.deepEqual(error.path, ['grids', 'broken', 'srs']);
  assert.equal(error.line, 18);
});

test('an unknown -g grid is a TOOLS_UNKNOWN_GRID error naming the lower-cased name', async (t) => {
  const file = await writeConfig(t, CONFIG.replace(/ {2}broken:[^]*$/, ''));
  await assert.rejects(describeGrids({ configFile: file, gridName: 'NoPe' }), {
    code: 'TOOLS_UNKNOWN_GRID',
    message: 'grid not found: nope',
  });
});

test('-s without -c is a TOOLS_OPTION_CONFLICT error', async (t) => {
  const file = await writeConfig(t, CONFIG.replace(/ {2}broken:[^]*$/, ''));
  await assert.rejects(describeGrids({ configFile: file, seedFile: 'seed.yaml' }), {
    code: 'TOOLS_OPTION_CONFLICT',
  });
});

test('the report keeps YAML ints, marks defaults and counts tiles per level', async (t) => {
  const file = await writeConfig(t, CONFIG.replace(/ {2}broken:[^]*$/, ''));
  const report = await describeGrids({ configFile: file });
  assert.equal(report.kind, 'grids');
  const [grid] = report.grids;
  assert.ok(grid);
  assert.equal(grid.name, 'local');
  assert.deepEqual(
    grid.levels.map((l) => [l.resolution, l.tilesX, l.tilesY]),
    [
      [new PyInt(1), 1, 1],
      [0.5, 1, 1],
    ],
  );
  assert.deepEqual(formatGridsReport(report), [
    'local:',
    '    Configuration:',
    '        bbox: [0, 0, 10, 10.0]',
    "        origin: 'nw'",
    '        res: [1, 0.5]',
    "        srs: 'EPSG:4326'",
    '        tile_size*: [256, 256]',
    '    Levels: Resolutions, # x * y = total tiles',
    '        00:  1,   #      1 * 1      =          1',
    '        01:  0.5, #      1 * 1      =          1',
  ]);
});

test('-c reads the seed coverage as seed does: a broken one is a ConfigError at its key, an empty one TOOLS_EMPTY_COVERAGE', async (t) => {
  const file = await writeConfig(t, CONFIG.replace(/ {2}broken:[^]*$/, ''));
  const seedFile = join(dirname(file), 'seed.yaml');
  await writeFile(
    seedFile,
    [
      'coverages:',
      "  nowhere: { bbox: [0, 0, 1, 1], srs: 'EPSG:999999' }",
      '  empty:',
      "    intersection: [{ bbox: [0, 0, 1, 1], srs: 'EPSG:4326' }, { bbox: [2, 2, 3, 3], srs: 'EPSG:4326' }]",
      "  half: { bbox: [0, 0, 10, 5], srs: 'EPSG:4326' }",
      '',
    ].join('\n'),
  );
  const error = await describeGrids({ configFile: file, seedFile, coverageName: 'nowhere' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.deepEqual([error.file, error.line, error.path], [seedFile, 2, ['coverages', 'nowhere', 'srs']]);
  await assert.rejects(describeGrids({ configFile: file, seedFile, coverageName: 'empty' }), {
    code: 'TOOLS_EMPTY_COVERAGE',
    message: "coverage 'empty' contains no geometries.",
  });
  const report = await describeGrids({ configFile: file, seedFile, coverageName: 'half' });
  assert.equal(report.kind === 'grids' ? report.grids[0]?.coverageRatio : undefined, 0.5);
});
